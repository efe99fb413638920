//! Liquid in Signpost pages (as Jekyll pages write it): blocks and filters through
//! Signpost's Liquid engine, `site.data`, and errors that name the file, line and column.

use crate::common;

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

/// Hostile Liquid ends in an error at the page's file, line and column, within the limits
/// docs/jekyll.md lists: never a crash, a hang or memory without bound.
#[test]
fn hostile_liquid_is_an_error_at_the_tag() {
    let nested_ifs = "{% if true %}".repeat(2000) + &"{% endif %}".repeat(2000);
    let cases: [(&str, String); 5] = [
        ("unclosed tag", "{%}".to_string()),
        ("2,000 nested ifs", nested_ifs),
        ("10^8 iterations", "{% for i in (1..100000000) %}{{ i }}{% endfor %}".to_string()),
        ("nested million-step loops", "{% for i in (1..1000000) %}{% for j in (1..1000000) %}{% endfor %}{% endfor %}".to_string()),
        (
            "a capture doubling 40 times",
            "{% capture x %}ab{% endcapture %}{% for i in (1..40) %}{% capture x %}{{ x }}{{ x }}{% endcapture %}{% endfor %}"
                .to_string(),
        ),
    ];
    for (what, liquid) in cases {
        let site = site_with(&format!("---\ntitle: Hostile\n---\n\nIntro.\n\n{liquid}\n"));
        let started = std::time::Instant::now();
        let run = site.build();
        assert_eq!(run.status, 1, "{what}: {}", run.stderr);
        assert!(run.stderr.contains("content/liquid.md:7:"), "{what}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{what}: {}", run.stderr);
        // Generous: the bound is on the work done, so this only catches a hang.
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "{what} took {:?}", started.elapsed());
    }
}

#[test]
fn jekyll_filters_and_missing_keys() {
    let site = site_with(
        "---\ntitle: Filters\n---\n\n{% assign ada = site.data.team | where: \"name\",\"Ada\" | first %}Role: {{ ada.role }}.\n\n{% if site.data.team.nothere %}no{% else %}Missing keys are empty: [{{ site.data.nothere.x }}]{% endif %}\n\n{{ site.data.team | group_by: 'role' | size }} groups; {{ site.data.team | map: 'name' | array_to_sentence_string }}\n",
    );
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let html = site.out("liquid.html");
    assert!(html.contains("Role: Lead."), "{html}");
    assert!(html.contains("Missing keys are empty: []"), "{html}");
    assert!(html.contains("2 groups; Ada and Bob"), "{html}");
}
