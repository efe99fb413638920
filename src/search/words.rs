//! Words as the index and the browser both see them. `engine.js` splits a query the
//! same way (`normalize` and `WORD` there), so the two must change together:
//!
//! - lower case, then compatibility decomposition with the combining marks dropped, so
//!   `Café` and `cafe` are one word;
//! - a word is a run of letters and digits: `go-live` is `go` and `live`, `v1.2` is
//!   `v1` and `2`;
//! - stop words (the most common words of the language) are not indexed and are
//!   dropped from queries, so "authority to proceed" needs only the two words that say
//!   something;
//! - each word is indexed under its Snowball stem (`stages` and `staging` under
//!   `stage`). The browser has no stemmer: it finds a query word's stem in the index
//!   itself (see `engine.js`).

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Defines `ENGLISH_STOP`, the English words too common to say anything about a page,
/// and `is_english_stop`, which says whether a word is one of them: one list, so the two
/// cannot disagree. The question is asked of every word of every page, and a `match`
/// on the words compiles to a test of the length and a comparison or two of bytes in
/// registers; comparing with each word of the list in turn (or halving it) called
/// `memcmp` for each, a tenth of the index's time on 10,000 pages.
macro_rules! stop_words {
    ($($word:literal),* $(,)?) => {
        /// Short on purpose: every word here is one a reader can never search for.
        const ENGLISH_STOP: &[&str] = &[$($word),*];

        fn is_english_stop(word: &str) -> bool {
            matches!(word, $($word)|*)
        }
    };
}

stop_words![
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of", "on", "or", "that", "the",
    "this", "to", "was", "were", "with",
];

/// How the words of one language are indexed.
pub(super) struct Language {
    stemmer: Option<Stemmer>,
    stop: &'static [&'static str],
    is_stop: fn(&str) -> bool,
}

impl Language {
    /// The rules for a primary language subtag (`en`); a language Signpost has no
    /// stemmer for is indexed word for word, with no stop words.
    pub(super) fn new(subtag: &str) -> Language {
        let algorithm = match subtag {
            "en" => Some(Algorithm::English),
            "cy" => None,
            "da" => Some(Algorithm::Danish),
            "de" => Some(Algorithm::German),
            "es" => Some(Algorithm::Spanish),
            "fr" => Some(Algorithm::French),
            "it" => Some(Algorithm::Italian),
            "nl" => Some(Algorithm::Dutch),
            "pt" => Some(Algorithm::Portuguese),
            "sv" => Some(Algorithm::Swedish),
            _ => None,
        };
        let (stop, is_stop): (_, fn(&str) -> bool) =
            if subtag == "en" { (ENGLISH_STOP, is_english_stop) } else { (&[], |_| false) };
        Language { stemmer: algorithm.map(Stemmer::create), stop, is_stop }
    }

    pub(super) fn stop_words(&self) -> &'static [&'static str] {
        self.stop
    }

    pub(super) fn is_stop(&self, word: &str) -> bool {
        (self.is_stop)(word)
    }

    /// The stem a normalised word is indexed under.
    pub(super) fn stem(&self, word: &str) -> String {
        match &self.stemmer {
            Some(stemmer) => stemmer.stem(word).into_owned(),
            None => word.to_string(),
        }
    }
}

/// Calls `each` with every normalised word of `text`, in order.
pub(super) fn for_each_word(text: &str, mut each: impl FnMut(&str)) {
    let mut word = String::new();
    let mut end = |word: &mut String| {
        if !word.is_empty() {
            each(word);
            word.clear();
        }
    };
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        if b.is_ascii() {
            // The common case, a run of ASCII letters and digits at a time, without
            // Unicode tables.
            if b.is_ascii_alphanumeric() {
                let run = bytes[at..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
                word.push_str(&text[at..at + run]);
                at += run;
                // A word ends here unless a letter outside ASCII goes on with it.
                if bytes.get(at).is_none_or(|b| b.is_ascii()) {
                    word.make_ascii_lowercase();
                    end(&mut word);
                }
            } else {
                end(&mut word);
                at += 1;
            }
            continue;
        }
        let c = text[at..].chars().next().expect("a character starts here");
        at += c.len_utf8();
        word.make_ascii_lowercase();
        for lower in c.to_lowercase() {
            for d in std::iter::once(lower).nfkd().filter(|d| !is_combining_mark(*d)) {
                if d.is_alphabetic() || d.is_numeric() {
                    word.push(d);
                } else {
                    end(&mut word);
                }
            }
        }
    }
    word.make_ascii_lowercase();
    end(&mut word);
}

/// The shard a word is kept in: its first `len` characters (fewer for a shorter word).
pub(super) fn key(word: &str, len: usize) -> &str {
    match word.char_indices().nth(len) {
        Some((at, _)) => &word[..at],
        None => word,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_word(text, |w| out.push(w.to_string()));
        out
    }

    #[test]
    fn words_are_lower_case_runs_of_letters_and_digits_without_accents() {
        assert_eq!(
            words("Go-live: the NHS e-RS v1.2 Café"),
            ["go", "live", "the", "nhs", "e", "rs", "v1", "2", "cafe"]
        );
        assert_eq!(words("ÉTAPE ﬁnale"), ["etape", "finale"], "ligatures decompose");
        assert_eq!(words(""), Vec::<String>::new());
    }

    /// The rule one character at a time, as `engine.js` states it.
    fn words_char_by_char(text: &str) -> Vec<String> {
        let (mut out, mut word) = (Vec::new(), String::new());
        for c in text.chars().flat_map(char::to_lowercase) {
            for d in std::iter::once(c).nfkd().filter(|d| !is_combining_mark(*d)) {
                if d.is_alphabetic() || d.is_numeric() {
                    word.push(d);
                } else if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
        }
        if !word.is_empty() {
            out.push(word);
        }
        out
    }

    #[test]
    fn runs_of_ascii_split_as_characters_do() {
        for text in [
            "CAFÉS and naïve Straße",
            "MiXeD9Case_under-score ÀB Çx",
            "ÉtapeONE ﬁNALE x²y ½",
            "end with accent é",
            "ÆØÅ-Ünïcödé 42ab ÄBC",
            "tab\there\nnew line   spaces",
        ] {
            assert_eq!(words(text), words_char_by_char(text), "{text}");
        }
    }

    #[test]
    fn english_words_are_stemmed_and_common_words_stopped() {
        let en = Language::new("en");
        assert_eq!(en.stem("stages"), "stage");
        assert_eq!(en.stem("authorities"), "author");
        assert!(en.is_stop("the") && !en.is_stop("proceed"));
        assert!(ENGLISH_STOP.iter().all(|word| en.is_stop(word)));
        assert!(!en.is_stop("") && !en.is_stop("then") && !en.is_stop("thes"));
        let unknown = Language::new("xx");
        assert_eq!(unknown.stem("stages"), "stages");
        assert!(!unknown.is_stop("the"));
    }

    #[test]
    fn a_key_is_the_first_characters() {
        assert_eq!(key("stage", 2), "st");
        assert_eq!(key("a", 2), "a");
        assert_eq!(key("été", 2), "ét");
    }
}
