use serde_json::json;

use super::*;

fn run(template: &str, vars: serde_json::Value) -> Result<String, Error> {
    let mut globals = Globals::new();
    globals.borrow_all(&vars);
    let options = Options { dialect: Dialect::Jekyll, ..Options::default() };
    render(template, &globals, &mut NoIncludes, &options)
}

fn ok(template: &str, vars: serde_json::Value) -> String {
    run(template, vars).unwrap_or_else(|e| panic!("{template}: {e}"))
}

#[test]
fn undefined_variables_render_empty_as_in_jekyll() {
    let vars = json!({"site": {"data": {"glossary": {"a": 1}}}});
    assert_eq!(ok("[{{ nope }}|{{ site.data.glossary.nothere }}|{{ site.x.y.z }}]", vars), "[||]");
}

#[test]
fn where_and_first_inside_assign() {
    let vars = json!({"site": {"data": {"g": [{"term": "y", "d": 1}, {"term": "x", "d": 2}]}}});
    let out = ok("{% assign e = site.data.g | where: \"term\",\"x\" | first %}{{ e.d }}", vars);
    assert_eq!(out, "2");
}

#[test]
fn loops_conditions_and_filters() {
    let vars = json!({"items": [{"k": "a", "n": 2}, {"k": "b", "n": 1}, {"k": "a", "n": 3}]});
    assert_eq!(
        ok("{% for i in items reversed limit:2 %}{{ forloop.index }}{{ i.k }}{% endfor %}", vars.clone()),
        "1b2a"
    );
    assert_eq!(ok("{% assign s = items | sort: 'n' | map: 'n' | join: ',' %}{{ s }}", vars.clone()), "1,2,3");
    assert_eq!(
        ok("{% for g in items | group_by: 'k' %}{% endfor %}{{ items | group_by: 'k' | size }}", vars.clone()),
        "2"
    );
    assert_eq!(ok("{{ items | where_exp: 'i', 'i.n > 1' | size }}", vars.clone()), "2");
    assert_eq!(ok("{% if items.size > 2 and items[0].k == 'a' %}y{% else %}n{% endif %}", vars), "y");
    assert_eq!(ok("{% case 2 %}{% when 1 %}one{% when 2, 3 %}two{% else %}x{% endcase %}", json!({})), "two");
    assert_eq!(
        ok("{% capture c %}{{ 'Hello World' | slugify }}{% endcapture %}{{ c | upcase }}", json!({})),
        "HELLO-WORLD"
    );
    assert_eq!(ok("{{ 10 | divided_by: 3 }} {{ 10.0 | divided_by: 4 }} {{ -7 | modulo: 3 }}", json!({})), "3 2.5 2");
    assert_eq!(ok("{%- if true -%}\n  x  \n{%- endif -%}", json!({})), "x");
}

#[test]
fn hostile_templates_end_in_errors_not_panics_or_hangs() {
    // Pages render on threads with the binary's 16 MiB stacks (`RENDER_STACK` in main.rs);
    // a test thread has 2 MiB, which 100 nested blocks outgrow in a debug build.
    let run_hostile = std::thread::Builder::new().stack_size(16 << 20).spawn(hostile_templates).unwrap();
    run_hostile.join().unwrap();
}

fn hostile_templates() {
    let limit = |t: &str| {
        let e = run(t, json!({})).expect_err(t);
        assert_eq!(e.kind, ErrorKind::Limit, "{t}: {e}");
        e
    };
    let e = limit("ab{% for i in (1..100000000) %}{{ i }}{% endfor %}");
    assert_eq!(e.offset, 2);
    limit("{% for i in (1..1000000) %}{% for j in (1..1000000) %}{% endfor %}{% endfor %}");
    limit(&"{% if true %}".repeat(2000));
    limit("{% assign x = 'ab' %}{% for i in (1..40) %}{% capture x %}{{ x }}{{ x }}{% endcapture %}{% endfor %}");
    limit("{% assign x = 'ab' %}{% for i in (1..40) %}{% assign x = x | append: x %}{% endfor %}");
    // Found by the liquid fuzz target (as a slow input): `split` made a value per byte,
    // each far bigger than the byte, and only their number was counted.
    let small = Options {
        dialect: Dialect::Jekyll,
        limits: Limits { max_output: 1 << 20, ..Limits::default() },
        ..Options::default()
    };
    let doubled = "{% assign x = 'ab' %}{% for i in (1..18) %}{% assign x = x | append: x %}{% endfor %}";
    let split = format!("{doubled}{{{{ x | split: '' | size }}}}");
    let e = render(&split, &Globals::new(), &mut NoIncludes, &small).expect_err("split into 512 Ki values");
    assert_eq!(e.kind, ErrorKind::Limit, "{e}");
    assert!(e.message.contains("`split` would make 524288 values"), "{e}");
    let fine = format!("{doubled}{{{{ x | size }}}} {{{{ 'a,b' | split: ',' | size }}}}");
    assert_eq!(render(&fine, &Globals::new(), &mut NoIncludes, &small).unwrap(), "524288 2");
    for bad in ["{%}", "{% if %}", "{{", "{% for %}", "{% endif %}", "{% if a %}", "{{ [[[[ }}", "{% raw %}"] {
        let _ = run(bad, json!({}));
    }
    assert_eq!(run("{%}", json!({})).unwrap_err().kind, ErrorKind::Syntax);
}
