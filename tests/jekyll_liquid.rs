//! Liquid in Signpost pages (as Jekyll pages write it): blocks and filters through the
//! `liquid` crate, `site.data`, and errors that name the file, line and column.

mod common;

fn site_with(page: &str) -> common::Fixture {
    let site = common::Fixture::copy_of("basic");
    site.write("content/_data/team.yml", "- name: Ada\n  role: Lead\n- name: Bob\n");
    site.write("content/liquid.md", page);
    site
}

#[test]
fn blocks_and_filters_render_with_site_data() {
    let site = site_with(
        "---\ntitle: Team\nowner: Platform\n---\n\n{% assign people = site.data.team | sort: 'name' %}\n{% for p in people %}\n- {{ p.name }}{% if p.role %} ({{ p.role | downcase }}){% endif %}\n{% endfor %}\n\nOwned by {{ page.owner | upcase }}; {{ site.data.team | size }} people.\n\n{% capture note %}Ask **{{ people.first.name }}**.{% endcapture %}\n{% include note.html content=note %}\n",
    );
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let html = site.out("liquid.html");
    assert!(html.contains("Ada (lead)") && html.contains("<p>Bob</p>"), "{html}");
    assert!(html.contains("Owned by PLATFORM; 2 people."), "{html}");
    assert!(html.contains("Ask <strong>Ada</strong>."), "{html}");
}

#[test]
fn liquid_errors_name_the_file_line_and_column() {
    let site = site_with("---\ntitle: Broken\n---\n\nIntro.\n\n  {% for p in %}x{% endfor %}\n");
    let run = site.build();
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("error[liquid]"), "{}", run.stderr);
    assert!(run.stderr.contains("content/liquid.md:7:3"), "{}", run.stderr);

    let site = site_with("---\ntitle: Broken\n---\n\n{% if true %}\n{% include nonesuch.html %}\n{% endif %}\n");
    let run = site.build();
    assert!(run.stderr.contains("error[unknown-include]"), "{}", run.stderr);
    assert!(run.stderr.contains("content/liquid.md:5:1"), "the block's opening tag: {}", run.stderr);

    let site = site_with("---\ntitle: Broken\n---\n\n{% for p in site.data.team %}\n");
    let run = site.build();
    assert!(run.stderr.contains("has no `{% endfor %}`"), "{}", run.stderr);
}

#[test]
fn include_relative_stays_inside_the_site() {
    let site = site_with("---\ntitle: Example\n---\n\n```json\n{% include_relative data/example.json %}\n```\n\n{% include_relative ../site.yaml %}\n");
    site.write("content/data/example.json", "{\n  \"a\": 1\n}\n");
    let run = site.build();
    assert!(run.stderr.contains("error[include-relative]"), "{}", run.stderr);
    assert!(run.stderr.contains("content/liquid.md:9:1"), "{}", run.stderr);
    site.write(
        "content/liquid.md",
        "---\ntitle: Example\n---\n\n```json\n{% include_relative data/example.json %}\n```\n",
    );
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(site.out("liquid.html").contains("data-lang=\"json\""));
}
