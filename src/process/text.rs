//! Text measurement for wrapping titles at build time. The widths are the larger of
//! Liberation Sans (metric-compatible with Arial) and DejaVu Sans, the fonts a browser or
//! resvg falls back to for the diagram's font stack, so wrapped text fits in either.

/// Advance widths of ASCII 32..=126 in thousandths of an em.
const REGULAR: [u16; 95] = [
    317, 400, 459, 837, 636, 950, 779, 274, 390, 390, 500, 837, 317, 360, 317, 336, 636, 636, 636, 636, 636, 636, 636,
    636, 636, 636, 336, 336, 837, 837, 837, 556, 1015, 684, 686, 722, 770, 666, 610, 777, 751, 294, 500, 666, 557, 862,
    748, 787, 666, 787, 722, 666, 610, 731, 684, 988, 685, 666, 685, 390, 336, 390, 837, 556, 500, 612, 634, 549, 634,
    615, 352, 634, 633, 277, 277, 579, 277, 974, 633, 611, 634, 634, 411, 520, 392, 633, 591, 817, 591, 591, 524, 636,
    336, 636, 837,
];

const BOLD: [u16; 95] = [
    348, 456, 520, 837, 695, 1001, 872, 306, 457, 457, 522, 837, 379, 415, 379, 365, 695, 695, 695, 695, 695, 695, 695,
    695, 695, 695, 399, 399, 837, 837, 837, 610, 1000, 773, 762, 733, 830, 683, 683, 820, 836, 372, 556, 774, 637, 995,
    836, 850, 732, 850, 770, 720, 682, 812, 773, 1103, 770, 724, 725, 457, 365, 457, 837, 556, 500, 674, 715, 592, 715,
    678, 435, 715, 711, 342, 342, 665, 342, 1041, 711, 687, 715, 715, 493, 595, 478, 711, 651, 923, 645, 651, 582, 711,
    365, 711, 837,
];

/// Characters outside ASCII are measured as a wide letter.
const OTHER: u16 = 720;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

/// Width in pixels of `text` at `size` pixels.
pub fn width(text: &str, size: f64, weight: Weight) -> f64 {
    pixels(units(text, weight), size)
}

/// The advance of `text` in thousandths of an em: the sum of its characters' (there is
/// no kerning), so a line's width grows by a word's without measuring the line again.
fn units(text: &str, weight: Weight) -> u32 {
    let table = match weight {
        Weight::Regular => &REGULAR,
        Weight::Bold => &BOLD,
    };
    text.chars()
        .map(|c| match c as u32 {
            32..=126 => u32::from(table[c as usize - 32]),
            _ => u32::from(OTHER),
        })
        .sum()
}

fn pixels(units: u32, size: f64) -> f64 {
    f64::from(units) * size / 1000.0
}

/// Breaks `text` into lines no wider than `max` pixels, at spaces and after hyphens;
/// a word wider than a line on its own is split between characters.
pub fn wrap(text: &str, size: f64, weight: Weight, max: f64) -> Vec<String> {
    let space = units(" ", weight);
    let fits = |units: u32| pixels(units, size) <= max;
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    // The width of `line`, kept as it grows: layouts wrap every title of every candidate
    // arrangement, and measuring each candidate line afresh made wrapping a third of
    // the layout time of a 100-stage process.
    let mut line_units = 0;
    for word in words(text) {
        let joined = !line.is_empty() && !line.ends_with('-');
        let word_units = units(word, weight);
        let candidate = line_units + if joined { space } else { 0 } + word_units;
        if fits(candidate) {
            if joined {
                line.push(' ');
            }
            line.push_str(word);
            line_units = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            line_units = 0;
        }
        for c in word.chars() {
            let c_units = units(c.encode_utf8(&mut [0; 4]), weight);
            if !line.is_empty() && !fits(line_units + c_units) {
                lines.push(std::mem::take(&mut line));
                line_units = 0;
            }
            line.push(c);
            line_units += c_units;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Words separated by whitespace other than a no-break space; a hyphenated word also
/// breaks after each hyphen.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() && c != '\u{a0}')
        .filter(|w| !w.is_empty())
        .flat_map(|w| w.split_inclusive('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_within_the_width() {
        let lines = wrap("Explore requirements and standards", 14.0, Weight::Regular, 130.0);
        assert_eq!(lines, ["Explore", "requirements and", "standards"]);
        for l in &lines {
            assert!(width(l, 14.0, Weight::Regular) <= 130.0);
        }
    }

    #[test]
    fn hyphens_and_long_words_break() {
        assert_eq!(wrap("Go-live", 14.0, Weight::Regular, 30.0), ["Go-", "live"]);
        let lines = wrap("Supercalifragilistic", 14.0, Weight::Regular, 60.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), "Supercalifragilistic");
    }

    #[test]
    fn a_no_break_space_keeps_its_words_on_one_line() {
        assert_eq!(
            wrap("Care organisation\u{a0}· Build", 13.0, Weight::Bold, 130.0),
            ["Care", "organisation\u{a0}·", "Build"]
        );
    }

    #[test]
    fn empty_text_has_no_lines() {
        assert!(wrap("  ", 14.0, Weight::Regular, 100.0).is_empty());
    }
}
