//! The real NHS Booking Standard Jekyll pages (../shared/corpus) built as Signpost content.
//! Skips with a printed reason when ../shared is absent, as on a user's machine.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use signpost::content::Scope;
use signpost::site::LoadOptions;

#[test]
fn every_nhs_booking_page_renders() {
    let Some(shared) = common::shared_dir() else {
        println!("skipped: ../shared is absent, so the NHS corpus cannot be read");
        return;
    };
    let corpus = shared.join("corpus/docs-uec-appts");
    let site = common::Fixture::empty();
    common::copy_tree(&corpus.join("_pages"), &site.root.join("content"));
    common::copy_tree(&corpus.join("_data/sidebars"), &site.root.join("content/_data/sidebars"));
    site.write("site.yaml", "title: NHS Booking Standard\nsidebar: overview_sidebar\n");
    for file in signpost::theme::embedded_files(&signpost::theme::DEFAULT_THEME) {
        let target = site.root.join("themes/default").join(file.path());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, file.contents()).unwrap();
    }
    let pages_found = walkdir::WalkDir::new(site.root.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .count();

    // What the default theme does not provide yet, or what Signpost refuses for new content.
    let options = LoadOptions { root: site.root.clone(), scope: Scope::Portal, base_url: None };
    let mut unsupported: BTreeMap<String, usize> = BTreeMap::new();
    // Loading stops at content errors before rendering reports missing includes: go round.
    for _ in 0..3 {
        let Err(errors) = signpost::build::build_in_memory(&options) else { break };
        for d in errors.iter().filter(|d| d.is_error()) {
            match d.kind {
                "unknown-include" => {
                    let name = d.message.split('`').nth(1).unwrap().to_string();
                    site.write(&format!("themes/default/includes/{name}"), "");
                    *unsupported.entry(format!("include {name}")).or_default() += 1;
                }
                "duplicate-permalink" => {
                    // Keep the first page; Jekyll silently lets one overwrite the other.
                    let second = d.message.split(" and ").nth(1).unwrap().split(" are ").next().unwrap();
                    std::fs::remove_file(site.root.join(second)).unwrap();
                    *unsupported.entry(format!("duplicate permalink ({second} left out)")).or_default() += 1;
                }
                other => panic!("unexpected error on the corpus: {other}: {d}"),
            }
        }
    }
    let (_, output, sink, warnings) = match signpost::build::build_in_memory(&options) {
        Ok(built) => built,
        Err(d) => panic!("the corpus still fails: {:?}", d.iter().map(ToString::to_string).collect::<Vec<_>>()),
    };
    let removed = unsupported.keys().filter(|k| k.starts_with("duplicate")).count();
    assert_eq!(output.pages.len(), pages_found - removed, "every page renders");
    let files = sink.files.lock().unwrap();
    for page in &output.pages {
        let html = String::from_utf8_lossy(&files[&page.file]);
        assert!(html.contains("</html>"), "{} is a whole page", page.file);
    }
    // Liquid that is left in the pages as written.
    for html in files.values().map(|b| String::from_utf8_lossy(b)) {
        for tag in ["{% for", "{% assign", "{% highlight", "{%- if", "{% if"] {
            *unsupported.entry(format!("Liquid `{tag} %}}` left as text")).or_default() += html.matches(tag).count();
        }
    }
    unsupported.retain(|_, n| *n > 0);
    println!("docs-uec-appts: {pages_found} pages found, {} built, {} warnings", output.pages.len(), warnings.warnings());
    println!("not yet supported:");
    for (what, count) in &unsupported {
        println!("  {what}: {count}");
    }
    assert!(Path::new(&site.root).exists());
}
