//! Pipe tables as kramdown reads them, rewritten into tables pulldown-cmark accepts.
//!
//! CommonMark wants a header row, then a delimiter row with as many cells. kramdown is
//! looser: a table may have no header at all, its delimiter row may be short, and any
//! `|---|` line that is not the header's delimiter only separates one `<tbody>` from the
//! next (one before the first row is skipped). Before parsing, such tables are edited
//! into CommonMark ones; [`Edits`] maps offsets back to the text as written, so recorded
//! links and anchors still name the line and column the author wrote.

use super::trim_start;
use std::borrow::Cow;

/// The edits that make the kramdown tables among `lines` (each with its offset; outside
/// code fences) tables pulldown-cmark reads the same way.
pub(super) fn kramdown_tables(lines: &[(usize, &str)]) -> Vec<Edit> {
    let mut edits: Vec<Edit> = Vec::new();
    let mut fence: Option<&str> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = trim_start(lines[i].1);
        if let Some(mark) = fence {
            if line.starts_with(mark) {
                fence = None;
            }
        } else if line.starts_with("```") || line.starts_with("~~~") {
            fence = Some(&line[..3]);
        } else if line.starts_with('|') && is_row(lines[i].1) && (i == 0 || trim_start(lines[i - 1].1).is_empty()) {
            let end = lines[i..].iter().position(|(_, l)| !is_row(l)).map_or(lines.len(), |n| i + n);
            table_edits(&lines[i..end], &mut edits);
            i = end;
            continue;
        }
        i += 1;
    }
    edits
}

/// Removes the `<thead>` of empty cells that [`kramdown_tables`] added to tables with
/// no header, leaving them header-less as kramdown makes them.
pub(super) fn drop_empty_headers(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<thead><tr><th></th>") {
        let Some(len) = rest[start..].find("</tr></thead>") else { break };
        let inner = &rest[start + "<thead><tr>".len()..start + len];
        out.push_str(&rest[..start]);
        if inner.replace("<th></th>", "").trim().is_empty() {
            rest = rest[start + len + "</tr></thead>".len()..].trim_start_matches('\n');
        } else {
            out.push_str(&rest[start..start + len]);
            rest = &rest[start + len..];
        }
    }
    out.push_str(rest);
    out
}

/// Where the parsed text differs from the text as written.
#[derive(Debug, Default)]
pub(super) struct Edits {
    /// Per edit, in order: its start in the parsed text, its start in the text as
    /// written, the bytes it put there and the bytes it took away.
    spans: Vec<Span>,
}

#[derive(Debug)]
struct Span {
    parsed_at: usize,
    written_at: usize,
    inserted: usize,
    removed: usize,
}

impl Edits {
    #[cfg(test)]
    pub(super) fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The offset in the text as written of `offset` in the parsed text. Text an edit
    /// added has no place of its own, so it maps to the start of what the edit replaced.
    pub(super) fn original(&self, offset: usize) -> usize {
        let i = self.spans.partition_point(|s| s.parsed_at <= offset);
        let Some(span) = i.checked_sub(1).map(|i| &self.spans[i]) else { return offset };
        let after = offset - span.parsed_at;
        if after < span.inserted {
            span.written_at
        } else {
            span.written_at + span.removed + (after - span.inserted)
        }
    }
}

/// `removed` bytes of the text as written, from `at`, replaced by `inserted`.
#[derive(Debug)]
pub(super) struct Edit {
    pub at: usize,
    pub removed: usize,
    pub inserted: String,
}

/// The edits one table needs; `rows` are its lines, each with its offset.
fn table_edits(rows: &[(usize, &str)], edits: &mut Vec<Edit>) {
    // Each row is read once: whether it separates, its cells, the pipes of its code spans.
    let read: Vec<Option<Row>> = rows.iter().map(|(_, l)| (!is_separator(l)).then(|| Row::of(l))).collect();
    // Only separator lines: kramdown does not take it for a table either.
    let Some(first) = read.iter().position(Option::is_some) else { return };
    let (header_at, header) = rows[first];
    if first > 0 {
        edits.push(Edit { at: rows[0].0, removed: header_at - rows[0].0, inserted: String::new() });
    }
    // kramdown keeps every cell of every row; CommonMark drops those beyond the header's.
    let cells = read.iter().flatten().map(|row| row.cells).max().unwrap_or(1);
    let has_delimiter = matches!(rows.get(first + 1), Some((_, l)) if read[first + 1].is_none() && !l.contains('='));
    if has_delimiter {
        let row = read[first].as_ref().expect("the header is not a separator");
        pad_row(header_at, header, row.cells, cells, "  ", edits);
        code_span_pipes(header_at, row, edits);
    }
    let body = match rows.get(first + 1) {
        Some(&(at, l)) if has_delimiter => {
            // kramdown also takes a delimiter row shorter than the header: pad it.
            pad_row(at, l, cell_count(l), cells, "---", edits);
            first + 2
        }
        // No header. A header of several rows (a separator further down) is not
        // something pulldown-cmark can draw either: those rows stay body rows.
        _ => {
            let inserted = format!("|{}\n|{}\n", " |".repeat(cells), "---|".repeat(cells));
            edits.push(Edit { at: header_at, removed: 0, inserted });
            first
        }
    };
    // Any later separator only starts a new `<tbody>` (`|---`) or the `<tfoot>` (`|===`)
    // in kramdown; one body looks the same.
    for (&(at, l), row) in rows[body..].iter().zip(&read[body..]) {
        match row {
            None => edits.push(Edit { at, removed: l.len(), inserted: String::new() }),
            Some(row) => code_span_pipes(at, row, edits),
        }
    }
}

/// A row of a table that is not a separator line, as [`table_edits`] needs it.
struct Row {
    /// As [`cell_count`] counts them.
    cells: usize,
    /// The offset in the line of each `|` inside a code span.
    code_pipes: Vec<usize>,
}

impl Row {
    fn of(line: &str) -> Row {
        let t = trim_start(line);
        let lead = line.len() - t.len();
        let (cells, code_pipes) = cells_of(t.trim_end());
        Row { cells, code_pipes: code_pipes.into_iter().map(|i| lead + i).collect() }
    }
}

/// Pads a row of `line` (at `at`), which has `have` cells, with cells of `fill` up to
/// `cells` cells.
fn pad_row(at: usize, line: &str, have: usize, cells: usize, fill: &str, edits: &mut Vec<Edit>) {
    if have >= cells {
        return;
    }
    let body = line.trim_end();
    let mut inserted = if body.ends_with('|') && !body.ends_with("\\|") { String::new() } else { "|".to_string() };
    for _ in have..cells {
        inserted.push_str(fill);
        inserted.push('|');
    }
    edits.push(Edit { at: at + body.len(), removed: 0, inserted });
}

/// A `|` inside a code span does not end the cell in kramdown: it gets escaped, as GFM
/// wants it there.
fn code_span_pipes(at: usize, row: &Row, edits: &mut Vec<Edit>) {
    for &i in &row.code_pipes {
        edits.push(Edit { at: at + i, removed: 0, inserted: "\\".into() });
    }
}

/// The number of cell-ending pipes of a row, and the offset of every `|` inside a code
/// span. Only those are listed: a list of every pipe was made for every row, two or three
/// times each, to be counted.
fn cell_bounds(line: &str) -> (usize, Vec<usize>) {
    let b = line.as_bytes();
    let mut splits = 0;
    let mut found = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'`' => {
                let run = b[i..].iter().take_while(|&&c| c == b'`').count();
                let fence = &line[i..i + run];
                let after = i + run;
                // The closing run of the same length, if the span closes on this line.
                let mut j = after;
                let mut close = None;
                // (A run of backticks is found by its first byte: searching for the whole
                // run set up a substring search for every code span of every row.)
                while let Some(s) =
                    memchr::memchr_iter(b'`', &b[j..]).map(|p| j + p).find(|&s| b[s..].starts_with(fence.as_bytes()))
                {
                    let len = b[s..].iter().take_while(|&&c| c == b'`').count();
                    if len == run {
                        close = Some(s);
                        break;
                    }
                    j = s + len;
                }
                if let Some(close) = close {
                    for (k, &c) in b[after..close].iter().enumerate() {
                        if c == b'|' && b[after + k - 1] != b'\\' {
                            found.push(after + k);
                        }
                    }
                    i = close + run;
                    continue;
                }
                i = after;
                continue;
            }
            b'|' => splits += 1,
            _ => {}
        }
        i += 1;
    }
    (splits, found)
}
/// Applies `edits` to `text`, in order of where they are; where two overlap (a table
/// line that kramdown also reads as something else), the one found first wins.
pub(super) fn apply(text: &str, mut edits: Vec<Edit>) -> (Cow<'_, str>, Edits) {
    if edits.is_empty() {
        return (Cow::Borrowed(text), Edits::default());
    }
    edits.sort_by_key(|e| e.at);
    let mut kept: Vec<Edit> = Vec::with_capacity(edits.len());
    for edit in edits {
        match kept.last() {
            Some(last) if edit.at < last.at + last.removed => {}
            _ => kept.push(edit),
        }
    }
    let edits = kept;
    let mut out = String::with_capacity(text.len() + edits.len() * 32);
    let mut spans: Vec<Span> = Vec::with_capacity(edits.len());
    let mut copied = 0;
    for edit in edits {
        out.push_str(&text[copied..edit.at]);
        match spans.last_mut() {
            // Edits that touch are one span, so no offset falls between them.
            Some(last) if last.written_at + last.removed == edit.at => {
                last.inserted += edit.inserted.len();
                last.removed += edit.removed;
            }
            _ => spans.push(Span {
                parsed_at: out.len(),
                written_at: edit.at,
                inserted: edit.inserted.len(),
                removed: edit.removed,
            }),
        }
        out.push_str(&edit.inserted);
        copied = edit.at + edit.removed;
    }
    out.push_str(&text[copied..]);
    (Cow::Owned(out), Edits { spans })
}

/// Each line of `text` (with its line ending) and the offset it starts at.
pub(super) fn lines_with_offsets(text: &str) -> Vec<(usize, &str)> {
    let mut lines = Vec::with_capacity(text.len() / 40 + 1);
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
        lines.push((start, &text[start..=end]));
        start = end + 1;
    }
    if start < text.len() {
        lines.push((start, &text[start..]));
    }
    lines
}

/// A line of a pipe table: it starts with `|`, indented less than a code block.
fn is_row(line: &str) -> bool {
    let t = trim_start(line);
    line.len() - t.len() <= 3 && t.starts_with('|')
}

/// `|---|:--:|`: a header's delimiter row, or one of kramdown's body separators;
/// `|===|`: kramdown's footer separator.
fn is_separator(line: &str) -> bool {
    let t = trim_start(line).trim_end();
    (t.contains('-') || t.starts_with("|=")) && t.chars().all(|c| matches!(c, '|' | '-' | '=' | ':' | '+' | ' ' | '\t'))
}

/// The cells of a row: its pipes outside code spans, less a leading and a trailing one.
fn cell_count(line: &str) -> usize {
    cells_of(line.trim()).0
}

/// The cells of the trimmed row `t` (see [`cell_count`]) and the offsets of the pipes
/// inside its code spans.
fn cells_of(t: &str) -> (usize, Vec<usize>) {
    let (pipes, code_pipes) = cell_bounds(t);
    let lead = usize::from(t.starts_with('|'));
    let trail = usize::from(t.len() > 1 && t.ends_with('|') && !t.ends_with("\\|"));
    ((pipes + 1).saturating_sub(lead + trail).max(1), code_pipes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kramdown_tables(text: &str) -> (Cow<'_, str>, Edits) {
        apply(text, super::kramdown_tables(&lines_with_offsets(text)))
    }

    #[test]
    fn offsets_map_around_insertions_and_deletions() {
        let text = "ab\n\n| x | w |\n|-|\n| y | v |\n|-|\n| z |\n";
        let (parsed, edits) = kramdown_tables(text);
        assert_eq!(parsed, "ab\n\n| x | w |\n|-|---|\n| y | v |\n| z |\n");
        for cell in ["w", "y", "z"] {
            let at = edits.original(parsed.find(cell).unwrap());
            assert_eq!(&text[at..at + 1], cell);
        }
        assert_eq!(edits.original(1), 1, "text before any edit keeps its offset");
    }

    #[test]
    fn leading_separator_and_missing_header_become_one_edit() {
        let text = "|---|---|\n| a | b |\n";
        let (parsed, edits) = kramdown_tables(text);
        assert_eq!(parsed, "| | |\n|---|---|\n| a | b |\n");
        assert_eq!(edits.spans.len(), 1);
        let a = parsed.find('a').unwrap();
        assert_eq!(edits.original(a), text.find('a').unwrap());
        assert_eq!(edits.original(2), 0, "the added header maps to the separator line it replaced");
    }

    #[test]
    fn a_block_of_separators_only_is_left_alone() {
        let (parsed, edits) = kramdown_tables("|---|\n|---|\n");
        assert!(matches!(parsed, Cow::Borrowed(_)) && edits.is_empty());
    }

    #[test]
    fn a_pipe_in_a_code_span_is_escaped_and_does_not_end_a_cell() {
        // Two cells in each row: the header is not padded to three.
        let (parsed, _) = kramdown_tables("| x | y |\n|---|---|\n| `a|b` | c \\| d |\n");
        assert_eq!(parsed, "| x | y |\n|---|---|\n| `a\\|b` | c \\| d |\n");
        // A row with more cells than the header pads the header, counting only real pipes.
        let (parsed, _) = kramdown_tables("| x |\n|---|\n| `a|b` | c |\n");
        assert_eq!(parsed, "| x |  |\n|---|---|\n| `a\\|b` | c |\n");
        // Each row is read trimmed; the escape goes where the pipe is in the indented line.
        let (parsed, _) = kramdown_tables("  | `x|y` |\n  |---|\n \t| `a|b` | c |\r\n");
        assert_eq!(parsed, "  | `x\\|y` |  |\n  |---|---|\n \t| `a\\|b` | c |\r\n");
    }
}
