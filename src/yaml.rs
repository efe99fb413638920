//! The one place YAML is parsed (serde-saphyr), so every YAML error in the program
//! reports the same way: the file, the YAML's own line and column, and what to do.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::diagnostics::{Diagnostic, Location};

pub use serde_saphyr::Spanned;

/// Parses `text`, which starts at line `first_line` of `file` (front matter starts at 2).
pub fn parse<T: DeserializeOwned>(text: &str, file: &Path, first_line: usize) -> Result<T, Diagnostic> {
    // YAML 1.2 booleans only: a tag or keyword written `y` or `on` stays a word.
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    serde_saphyr::from_str_with_options(text, options).map_err(|err| {
        let location = err
            .location()
            .filter(|l| l.line() > 0)
            .map(|l| Location::new(file, l.line() as usize + first_line - 1, l.column() as usize));
        let message = clean_message(&err.without_snippet().to_string());
        Diagnostic::error("yaml", message).at_opt(location).hint(hint_for(&err.to_string()))
    })
}

/// The location of a spanned value, shifted to the file's own lines.
pub fn location_of<T>(value: &Spanned<T>, file: &Path, first_line: usize) -> Option<Location> {
    let l = value.referenced;
    (l.line() > 0).then(|| Location::new(file, l.line() as usize + first_line - 1, l.column() as usize))
}

/// serde-saphyr appends "at line L column C" to some messages; we print the location ourselves.
fn clean_message(message: &str) -> String {
    let message = message.lines().next().unwrap_or(message).trim();
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn hint_for(message: &str) -> String {
    if message.contains("unknown field") {
        "remove the key or correct its spelling; the README lists every key".into()
    } else if message.contains("missing field") {
        "add the missing key".into()
    } else {
        "check the YAML syntax at this position (indentation, quotes, a missing colon)".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Conf {
        title: String,
        #[serde(default)]
        count: u32,
    }

    #[test]
    fn unknown_key_names_line_and_column() {
        let err = parse::<Conf>("title: x\n  \ncolour: red\n", Path::new("site.yaml"), 1).unwrap_err();
        assert!(err.message.contains("colour"), "{}", err.message);
        let loc = err.location.expect("location");
        assert_eq!((loc.line, loc.column), (3, 1));
    }

    #[test]
    fn front_matter_lines_are_shifted() {
        let err = parse::<Conf>("title: x\ncount: [\n", Path::new("a.md"), 2).unwrap_err();
        let loc = err.location.expect("location");
        assert!(loc.line >= 3, "{loc}");
    }

    #[test]
    fn type_error_has_location() {
        let err = parse::<Conf>("title: x\ncount: lots\n", Path::new("a.md"), 1).unwrap_err();
        let loc = err.location.expect("location");
        assert_eq!(loc.line, 2);
    }
}
