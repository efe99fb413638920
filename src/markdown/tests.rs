use super::*;

fn md(text: &str) -> Rendered {
    render(text, &Highlighter::new(None), &Hooks::none())
}

#[test]
fn heading_ids_follow_kramdown() {
    let r = md("## Design, build and self test\n\n### requested_scope claim\n\n## 3.4 Format\n\n## 3.4 Format\n");
    let ids: Vec<_> = r.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["design-build-and-self-test", "requested_scope-claim", "34-format", "34-format-1"]);
    assert!(r.html.contains("<h2 id=\"design-build-and-self-test\">"), "{}", r.html);
}

#[test]
fn heading_text_includes_link_and_code_text() {
    let r = md("## Call `GET /Slot` via [the API](api.html)\n");
    assert_eq!(r.headings[0].id, "call-get-slot-via-the-api");
    assert_eq!(r.links[0].target, "api.html");
}

#[test]
fn explicit_heading_id() {
    let r = md("## Title {#custom .wide}\n");
    assert_eq!(r.headings[0].id, "custom");
    assert!(r.html.contains("<h2 id=\"custom\" class=\"wide\">"), "{}", r.html);
}

#[test]
fn span_ial_sets_link_attributes() {
    let r = md("See [the spec](https://x.org/a){:target=\"_blank\"} now.\n");
    assert!(
        r.html.contains("<a href=\"https://x.org/a\" target=\"_blank\" rel=\"noopener\">the spec</a> now."),
        "{}",
        r.html
    );
    assert!(!r.html.contains("{:"), "{}", r.html);
}

#[test]
fn block_ial_is_not_printed() {
    let r = md("A paragraph.\n\n{: .lead}\n\nnext\n");
    assert!(!r.html.contains("{:"), "{}", r.html);
}

#[test]
fn links_record_their_offsets() {
    let text = "Intro\n\nGo to [x](other.html#part) or <a href=\"raw.html\">r</a>.\n";
    let r = md(text);
    assert_eq!(r.links.len(), 2);
    assert_eq!(&text[r.links[0].offset..r.links[0].offset + r.links[0].len], "other.html#part");
    assert_eq!(&text[r.links[1].offset..r.links[1].offset + r.links[1].len], "raw.html");
}

#[test]
fn links_in_code_are_not_links() {
    let r = md("```\n[x](nowhere.html)\n```\n\n`[y](no.html)`\n");
    assert!(r.links.is_empty());
}

#[test]
fn footnotes_have_prefixed_ids() {
    let r = md("## Note\n\nText[^note].\n\n[^note]: The footnote.\n");
    assert!(r.html.contains("href=\"#fn:note\""), "{}", r.html);
    assert!(r.html.contains("<li id=\"fn:note\""), "{}", r.html);
    assert_eq!(r.headings[0].id, "note");
}

#[test]
fn footnotes_are_listed_at_the_end_in_order_of_reference() {
    let r = md("A[^b] and B[^a] and A again[^b].\n\n[^a]: First defined.\n\n[^b]: Second defined.\n\n[^unused]: Never cited.\n\nLast paragraph.\n");
    let list = r.html.find("<div class=\"footnotes\"").expect("a list of notes");
    assert!(r.html.find("Last paragraph").unwrap() < list, "{}", r.html);
    let (b, a) = (r.html.find("<li id=\"fn:b\"").unwrap(), r.html.find("<li id=\"fn:a\"").unwrap());
    assert!(list < b && b < a, "numbered by first reference: {}", r.html);
    assert!(r.html.contains("<a href=\"#fn:b\" class=\"footnote\" rel=\"footnote\">1</a>"), "{}", r.html);
    assert!(r.html.contains("id=\"fnref:b:1\""), "a second reference has its own id: {}", r.html);
    assert!(r.html.contains("Second defined.&nbsp;<a href=\"#fnref:b\""), "{}", r.html);
    assert!(r.html.contains("href=\"#fnref:b:1\""), "{}", r.html);
    assert!(!r.html.contains("Never cited"), "{}", r.html);
    let ids: Vec<&str> = r.anchors.iter().map(|a| a.id.as_str()).collect();
    for id in ["fnref:b", "fnref:a", "fnref:b:1", "fn:a", "fn:b"] {
        assert!(ids.contains(&id), "anchor {id} recorded: {ids:?}");
    }
}

#[test]
fn code_is_highlighted_with_classes_and_unknown_is_escaped() {
    let r = md("```json\n{\"a\": 1}\n```\n\n```klingon\n<b>\n```\n");
    assert!(r.html.contains("class=\"language-json\""));
    assert!(r.html.contains("hl-"), "{}", r.html);
    assert!(!r.html.contains("style="));
    assert!(r.html.contains("&lt;b&gt;"));
}

#[test]
fn raw_html_anchors_are_recorded() {
    let r = md("<div id=\"top\"></div>\n\n<a name=\"old\"></a>\n");
    let ids: Vec<_> = r.anchors.iter().map(|a| a.id.as_str()).collect();
    assert!(ids.contains(&"top") && ids.contains(&"old"), "{ids:?}");
}

#[test]
fn sections_collect_text() {
    let r = md("Lead.\n\n## First\n\nAlpha text.\n\n## Second\n\nBeta.\n");
    assert_eq!(r.sections.len(), 3);
    assert_eq!(r.sections[1].anchor.as_deref(), Some("first"));
    assert!(r.sections[1].text.contains("Alpha"));
}

#[test]
fn tables_tasks_strikethrough() {
    let r = md("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~\n");
    assert!(r.html.contains("<table>"));
    assert!(
        r.html.contains("<input type=\"checkbox\" disabled=\"\" checked=\"\" aria-label=\"Task\" />"),
        "{}",
        r.html
    );
    assert!(r.html.contains("<del>old</del>"));
}

#[test]
fn rewrite_maps_markdown_and_html_links() {
    let rewrite = |t: &str| t.strip_prefix('/').map(|p| format!("/base/{p}"));
    let hooks = Hooks { rewrite: &rewrite, ..Hooks::none() };
    let r = render("[a](/x.html) [b](y.html) <a href=\"/z.html\">z</a>\n", &Highlighter::new(None), &hooks);
    assert!(r.html.contains("href=\"/base/x.html\""), "{}", r.html);
    assert!(r.html.contains("href=\"y.html\""), "{}", r.html);
    assert!(r.html.contains("href=\"/base/z.html\""), "{}", r.html);
    assert_eq!(r.links[0].target, "/x.html");
    assert_eq!(r.links[0].href, "/base/x.html");
}

#[test]
fn back_links_close_sections() {
    let back: BTreeMap<String, String> = [("one".to_string(), "process-p".to_string())].into();
    let hooks = Hooks { back_links: &back, ..Hooks::none() };
    let r = render("## One\n\ntext\n\n### Sub\n\nmore\n\n## Two\n\nend\n", &Highlighter::new(None), &hooks);
    let back_at = r.html.find("Back to the process").expect("back link");
    assert!(back_at > r.html.find("more").unwrap() && back_at < r.html.find("id=\"two\"").unwrap(), "{}", r.html);
    assert_eq!(r.html.matches("back-to-process").count(), 1);
}

#[test]
fn block_ial_after_a_block_sets_its_attributes() {
    let r = md("A paragraph.\n\n{: .lead}\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n{: .wide}\n\n- x\n- y\n\n{: .plain #l}\n\n## Head\n{: .big}\n");
    assert!(r.html.contains("<p class=\"lead\">A paragraph.</p>"), "{}", r.html);
    assert!(r.html.contains("<div class=\"table-wrap wide\" tabindex=\"0\""), "{}", r.html);
    assert!(r.html.contains("<ul id=\"l\" class=\"plain\">"), "{}", r.html);
    assert!(r.html.contains("<h2 id=\"head\" class=\"big\">"), "{}", r.html);
    assert!(!r.html.contains("{:"), "{}", r.html);
}

#[test]
fn block_ial_before_a_paragraph_sets_its_attributes() {
    let r = md("Text.\n\n{: .center-image }\n![Diagram](d.png)\n");
    assert!(r.html.contains("<p class=\"center-image\"><img src=\"d.png\" alt=\"Diagram\" /></p>"), "{}", r.html);
}

#[test]
fn markdown_inside_html_blocks() {
    let r = md("<div class=\"x\" markdown=\"1\">\n\n### Inside\n\n* item\n\n</div>\n");
    assert!(r.html.contains("<div class=\"x\">"), "{}", r.html);
    assert!(r.html.contains("<h3 id=\"inside\""), "{}", r.html);
    assert!(r.html.contains("<li>item</li>"), "{}", r.html);
}

#[test]
fn definition_lists_as_kramdown_writes_them() {
    let r = md("ASID\n: Accredited System Identifier\n");
    assert!(r.html.contains("<dl>") && r.html.contains("<dt>ASID</dt>"), "{}", r.html);
    assert!(r.html.contains("<dd>Accredited System Identifier</dd>"), "{}", r.html);
}

#[test]
fn section_text_keeps_blocks_apart() {
    let r = md("## Principles\n\nIn mind:\n\n- first item\n- second\n\n| a | b |\n|---|---|\n| c | d |\n");
    let text = &r.sections.iter().find(|s| s.anchor.as_deref() == Some("principles")).unwrap().text;
    assert!(text.contains("mind: first item second"), "{text}");
    assert!(!text.contains("cd"), "{text}");
}

#[test]
fn tables_without_a_header_row_render_as_kramdown_does() {
    let text =
        "Before\n\n| a | [b](x.html) |\n| c | d |\n\nAfter\n\n| h |\n|---|\n| v |\n\n```\n| not | a table |\n```\n";
    let r = md(text);
    assert!(r.html.contains("<table><tbody>\n<tr><td>a</td>"), "{}", r.html);
    assert_eq!(r.html.matches("<thead>").count(), 1, "a table with a header keeps it: {}", r.html);
    assert!(r.html.contains("<th>h</th>"));
    assert!(r.html.contains("| not | a table |"), "code is left alone");
    let link = &r.links[0];
    assert_eq!(&text[link.offset..link.offset + link.len], "x.html", "offsets still point at the source");
    let short = md("| name | system | code |\n| --- | --- |\n| a | b | c |\n");
    assert!(short.html.contains("<th>code</th>") && short.html.contains("<td>c</td>"), "{}", short.html);
}

#[test]
fn a_table_opening_with_a_separator_line_has_no_header() {
    let text = "Intro\n\n|---|---|\n| a | [b](x.html) |\n| c | d |\n";
    let r = md(text);
    assert!(r.html.contains("<table><tbody>\n<tr><td>a</td>"), "{}", r.html);
    assert!(!r.html.contains("<thead>") && !r.html.contains('—'), "{}", r.html);
    let link = &r.links[0];
    assert_eq!(&text[link.offset..link.offset + link.len], "x.html");
}

#[test]
fn separator_lines_around_a_header_are_dropped_as_kramdown_does() {
    // The shape of gpconnect's error tables: kramdown skips the first line, reads the row
    // above the next separator as the header, and the last one only ends a <tbody>.
    let text = "|---|---|\n| Error | Code |\n|---|---|\n| bad | [`E1`](e.html#one) |\n|---|---|\n| worse | e2 |\n|---|---|\n\nAfter\n";
    let r = md(text);
    assert!(r.html.starts_with("<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Table\"><table><thead><tr><th>Error</th>"), "{}", r.html);
    assert_eq!(r.html.matches("<tr>").count(), 3, "{}", r.html);
    assert!(!r.html.contains('—') && !r.html.contains("---"), "no separator shows: {}", r.html);
    assert!(r.html.contains("<p>After</p>"), "{}", r.html);
    let link = &r.links[0];
    assert_eq!(&text[link.offset..link.offset + link.len], "e.html#one");
}

#[test]
fn span_attribute_lists_on_emphasis_and_code() {
    let r = md("A *Breaking*{:.label} change and `x`{: .language-ruby}{: .other}.\n\nText{:.shown}\n");
    assert!(r.html.contains("<em class=\"label\">Breaking</em> change"), "{}", r.html);
    assert!(r.html.contains("<code class=\"language-ruby\">x</code>."), "{}", r.html);
    assert!(r.html.contains("Text{:.shown}"), "after plain text kramdown shows it too: {}", r.html);
}

#[test]
fn table_cells_beyond_the_header_and_pipes_in_code() {
    let r = md("| a | b |\n|---|---|\n| 1 | 2 | 3 |\n| `a|b` | c |\n");
    assert!(r.html.contains("<td>3</td>"), "{}", r.html);
    assert!(r.html.contains("<td><code>a|b</code></td><td>c</td>"), "{}", r.html);
}

#[test]
fn headings_after_html_and_with_tabs() {
    let r = md("<br>\n### Agree requirements\n\n## 1.\tOverview\n");
    assert_eq!(r.headings.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["agree-requirements", "1-overview"]);
    assert!(!r.html.contains("###"), "{}", r.html);
}

#[test]
fn toc_list_becomes_the_table_of_contents() {
    let r = md("* toc\n{:toc}\n\n# One\n\n## Two\n{: .no_toc}\n\n## Three\n");
    assert!(r.html.contains("<ul id=\"markdown-toc\">"), "{}", r.html);
    assert!(r.html.contains("id=\"markdown-toc-three\"") && !r.html.contains("markdown-toc-two"), "{}", r.html);
    assert!(!r.html.contains("<li>toc</li>"), "{}", r.html);
}

#[test]
fn markdown_in_html_on_one_line() {
    let r = md("<dl>\n<dd markdown=\"1\">See [spec](https://example.org/) and _this_.</dd>\n</dl>\n");
    assert!(r.html.contains("<a href=\"https://example.org/\">spec</a> and <em>this</em>"), "{}", r.html);
    assert_eq!(r.links[0].target, "https://example.org/");
}

#[test]
fn link_urls_with_spaces_as_kramdown_reads_them() {
    let r = md("![Acute medications](images/Acute medication.png)\n\n[a](with (spaces).html 'title') and [b](/to(do \"doit\")\n");
    assert!(r.html.contains("<img src=\"images/Acute%20medication.png\" alt=\"Acute medications\" />"), "{}", r.html);
    assert!(r.html.contains("<a href=\"with%20(spaces).html\" title=\"title\">a</a>"), "{}", r.html);
    assert!(r.html.contains("<a href=\"/to(do\" title=\"doit\">b</a>"), "{}", r.html);
    assert_eq!(r.links[0].target, "images/Acute medication.png");
    // An empty title is no link to kramdown, and a URL in a code span is left alone.
    let r = md("bad [URL](x.html '') and `[c](d e)`\n");
    assert!(r.html.contains("bad [URL](x.html ‘’) and <code>[c](d e)</code>"), "{}", r.html);
    // White space alone between the parentheses is an empty URL, as a real page has it.
    for text in ["[a]( )\n", "[a](  )\n", "[a](\t)\n", "x [b]( ) y [c](d)\n"] {
        let r = md(text);
        assert!(r.html.contains("<a href=\"\">a</a>") || r.html.contains("<a href=\"\">b</a>"), "{text:?}: {}", r.html);
    }
}

/// Found by the markdown fuzz target: a `](` inside a URL that had been put in angle
/// brackets was read as a second link, whose start lay before the end of the first.
#[test]
fn a_link_inside_a_spaced_url_is_part_of_it() {
    let r = md("- [SMART](http://docs.smart](images/a b.png){x}/)\n");
    assert!(
        r.html.contains("<li><a href=\"http://docs.smart%5D(images/a%20b.png)%7Bx%7D/\">SMART</a></li>"),
        "{}",
        r.html
    );
}

#[test]
fn processing_instructions_outside_html_are_text() {
    let r = md("<?xml version=\"1.0\"?>\n<!-- made by Visio -->\n\nThis is <? a PI ?>.\n\n<div>\n<?pi?>\n</div>\n");
    assert!(r.html.contains("<p>&lt;?xml version=“1.0”?&gt;"), "{}", r.html);
    assert!(r.html.contains("This is &lt;? a PI ?&gt;."), "{}", r.html);
    assert!(r.html.contains("<div>\n<?pi?>\n</div>"), "inside raw HTML it stays an instruction: {}", r.html);
}

#[test]
fn raw_html_is_written_back_as_kramdown_parsed_it() {
    let r = md(
        "<div class=\"content\">\n&quotid&quot: &quot;a&quot;\n</div>\n\n<div>\n</p>\n<http://example.com>\n</div>\n",
    );
    assert!(r.html.contains("&amp;quotid&amp;quot: &quot;a&quot;"), "a reference needs its `;`: {}", r.html);
    assert!(r.html.contains("<div>\n&lt;/p>\n&lt;http://example.com>\n</div>"), "{}", r.html);
    let r = md("An invalid </closing> tag and <span>one</span>.\n");
    assert!(r.html.contains("An invalid &lt;/closing> tag and <span>one</span>."), "{}", r.html);
}

#[test]
fn a_fence_without_its_closing_fence_is_text() {
    let r = md("<div markdown=\"span\" class=\"alert\">\n\n```\nPOST [base]/Encounter/$uec-report\n</div>\n\n```\n\n## Parameters\n");
    assert!(
        r.html.contains("``` POST [base]/Encounter/$uec-report") || r.html.contains("```\nPOST [base]"),
        "{}",
        r.html
    );
    assert!(r.html.contains("<p>```</p>"), "{}", r.html);
    assert_eq!(r.headings[0].id, "parameters", "the rest of the page is not code: {}", r.html);
}

#[test]
fn span_content_of_html_starts_no_blocks() {
    let r = md(
        "<div class=\"tabBody\" markdown=\"span\">\n\t\t```<Bundle>\n\t\t\t<id value=\"x\"/>\n</Bundle>```\n\t</div>\n",
    );
    assert!(r.html.contains("<code>&lt;Bundle&gt;"), "a code span, not a fence: {}", r.html);
    assert!(!r.html.contains("<pre"), "{}", r.html);
}

#[test]
fn html_in_a_list_item_is_read_from_the_item_content() {
    let r = md("- item\n\n  - nested\n\n    <div markdown=\"span\" class=\"note\">The provider **MAY** use [PDS](pds.html).\n    <br/>\n    If **MUST**.</div>\n");
    assert!(r.html.contains("The provider <strong>MAY</strong> use <a href=\"pds.html\">PDS</a>"), "{}", r.html);
    assert!(!r.html.contains("**"), "{}", r.html);
}

#[test]
fn link_definitions_as_kramdown_reads_them() {
    let r = md("[a]: first.html\n[b]: some spaces.html 'title'\n[A]: last.html\n\nSee [a] and [b].\n");
    assert!(r.html.contains("<a href=\"last.html\">a</a>"), "the last definition wins: {}", r.html);
    assert!(r.html.contains("<a href=\"some%20spaces.html\" title=\"title\">b</a>"), "{}", r.html);
}

#[test]
fn elements_commonmark_has_no_block_for_stay_raw_to_their_end_tag() {
    let svg = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"\n\t\txmlns:v=\"urn:visio\">\n\t<title>Page-1</title>\n\n\t<v:userDefs><v:ud v:nameU=\"x\"/></v:userDefs>\n</svg>\n\nAfter.\n";
    let r = md(svg);
    assert!(r.html.contains("<p>&lt;?xml version=“1.0”?&gt;</p>"), "{}", r.html);
    assert!(r.html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\"\n\t\txmlns:v=\"urn:visio\">"), "{}", r.html);
    assert!(r.html.contains("</v:userDefs>\n</svg>") && r.html.contains("<p>After.</p>"), "{}", r.html);
}

#[test]
fn block_tags_inside_text_show_as_kramdown_shows_them() {
    let r = md("An invalid tag: <hR>\n\nA <p>block tag</p>.\n\nA <span>span</span> and <br> stay.\n");
    assert!(r.html.contains("An invalid tag: &lt;hR>"), "{}", r.html);
    assert!(r.html.contains("A &lt;p>block tag&lt;/p>."), "{}", r.html);
    assert!(r.html.contains("A <span>span</span> and <br> stay."), "{}", r.html);
}

#[test]
fn a_blank_line_inside_pre_in_raw_html_stays_in_the_pre() {
    let r = md("<div class=\"language-http\">\n<pre class=\"highlight\"><code>GET /x\n</code>\n\nReturn the resource.</pre>\n</div>\n\nAfter.\n");
    assert!(r.html.contains("</code>\n<!---->\nReturn the resource.</pre>\n</div>"), "{}", r.html);
    assert!(r.html.contains("<p>After.</p>"), "{}", r.html);
}

#[test]
fn a_reference_link_may_have_white_space_before_its_id() {
    let r = md("simple [URL] [1] and [URL]\n[isurl], not [this] [none]\n\n[1]: one.html\n[isurl]: is.html\n");
    assert!(
        r.html.contains("simple <a href=\"one.html\">URL</a> and <a href=\"is.html\">URL</a>, not [this] [none]"),
        "{}",
        r.html
    );
}

#[test]
fn an_escaped_display_math_opening_a_paragraph_is_inline_math() {
    let r = md("\\$$5+5$$\n\nText \\$$no math$$\n\n\\$\\$5+5$$\n");
    assert!(r.html.contains("<p>\\(5+5\\)</p>"), "{}", r.html);
    assert!(r.html.contains("<p>Text $$no math$$</p>\n<p>$$5+5$$</p>"), "{}", r.html);
}

#[test]
fn without_html_the_same_links_anchors_and_headings_are_recorded() {
    let text = "\
* TOC
{:toc}

## Start {#begin .wide}

See [a](a.html#x), ![pic](p.png \"t\") and <a href=\"b.html\" id=\"raw\">b</a>.[^n]
{: #para}

| Col | `a|b` |
|-----|-------|
| [c](c.html) | <span id=\"cell\">x</span> |

```json
{\"href\": \"not-a-link.html\"}
```

### Next

[ref]: d.html

Use [ref] and [e]{:target=\"_blank\"}.

[e]: https://example.org/

<div markdown=\"1\" id=\"box\">
[f](f.html)
</div>

[^n]: A note with [g](g.html).
";
    let hl = Highlighter::new(None);
    let full = render(text, &hl, &Hooks::none());
    // As `check` renders: neither the HTML nor the search text.
    for hooks in [Hooks { html: false, ..Hooks::none() }, Hooks { html: false, sections: false, ..Hooks::none() }] {
        let bare = render(text, &hl, &hooks);
        assert!(bare.html.is_empty(), "{}", bare.html);
        assert!(!bare.blank && !full.blank);
        assert_eq!(bare.links, full.links);
        assert_eq!(bare.anchors, full.anchors);
        assert_eq!(bare.headings, full.headings);
    }
    // The sample exercises what is compared: links of every kind, anchors of raw HTML.
    let targets: Vec<&str> = full.links.iter().map(|l| l.target.as_str()).collect();
    for target in ["a.html#x", "p.png", "b.html", "c.html", "d.html", "f.html", "g.html"] {
        assert!(targets.contains(&target), "{target} in {targets:?}");
    }
    let ids: Vec<&str> = full.anchors.iter().map(|a| a.id.as_str()).collect();
    for id in ["begin", "raw", "cell", "box"] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
}

#[test]
fn without_html_a_page_is_blank_exactly_when_its_html_would_be() {
    // A layout's `{% if page.content %}` reads this in `check`, where no HTML is written.
    let hl = Highlighter::new(None);
    for text in [
        "",
        "\n\n",
        "[ref]: a.html\n",
        "*[HTML]: HyperText\n",
        "{:toc}\n",
        "* TOC\n{:toc}\n",
        "<!-- a note -->\n",
        "## T\n",
        "x\n",
        "```json\n{}\n```\n",
        "```\n```\n",
        "    indented code\n",
        "![i](i.png)\n",
    ] {
        let full = render(text, &hl, &Hooks::none());
        assert_eq!(full.blank, full.html.is_empty(), "{text:?}");
        // As `check` renders: no HTML, and no search text either.
        for hooks in [Hooks { html: false, ..Hooks::none() }, Hooks { html: false, sections: false, ..Hooks::none() }] {
            let bare = render(text, &hl, &hooks);
            assert_eq!(bare.blank, full.blank, "{text:?}: {:?}", full.html);
        }
    }
}

#[test]
fn a_block_attribute_list_may_follow_any_white_space() {
    // `is_block_ial` answers most text from its first byte; what trimming would take
    // away (a tab, a vertical tab, a no-break space) still does not hide a list.
    for text in ["{: .x}", " {: .x} ", "\t{: .x}", "\u{b}{: .x}", "\u{a0}{: .x}\u{a0}", "\n{:#id}"] {
        assert!(is_block_ial(text), "{text:?}");
    }
    for text in ["", " ", "x {: .x}", "{::comment}", "{:/}", "{: .x} y", "{: a=\"b}"] {
        assert!(!is_block_ial(text), "{text:?}");
    }
}

#[test]
fn without_html_headings_read_their_attribute_lists_as_with_it() {
    // A heading's title is its text less the attribute lists, which emphasis, code, links
    // and images before them take; `check` builds none of their HTML and must see the same.
    let text = "\
## *Em*{: .x} and `c`{:.k} [l](l.html){:target=\"_blank\"}{: .y} ![i](i.png){: .z}{: .w} end

### [m](m.html){:.a} ![j](j.png 'T') <b>x</b>{: .c}

```rust
fn f() {}
```

#### Don't \"quote\" {#q}

- {:.item} [n](n.html)
";
    let hl = Highlighter::new(None);
    let full = render(text, &hl, &Hooks::none());
    assert!(full.headings.iter().all(|h| !h.title.contains("{:")), "{:?}", full.headings);
    for hooks in [Hooks { html: false, ..Hooks::none() }, Hooks { html: false, sections: false, ..Hooks::none() }] {
        let bare = render(text, &hl, &hooks);
        assert_eq!(bare.headings, full.headings);
        assert_eq!(bare.links, full.links);
        assert_eq!(bare.anchors, full.anchors);
        assert_eq!(bare.blank, full.blank);
    }
}

#[test]
fn trim_start_is_the_standard_librarys() {
    let lines = [
        "",
        "a",
        " a",
        "\t\ta",
        "\u{b}x",
        "\u{c}x",
        "\u{1c}x",
        "\u{1f}",
        "\u{a0}x",
        "\u{2003}x",
        "\n",
        "\r\n",
        "é",
        "|a|",
        " \u{a0} x",
        " \u{85}",
        "\u{3000}",
        " \t\n",
    ];
    for line in lines {
        assert_eq!(trim_start(line), line.trim_start(), "{line:?}");
    }
    for b in 0u8..128 {
        let line = [b, b'x'];
        let line = std::str::from_utf8(&line).expect("ASCII");
        assert_eq!(trim_start(line), line.trim_start(), "{b}");
    }
}
