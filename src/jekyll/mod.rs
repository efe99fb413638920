//! What Signpost's page pipeline does for pages written for Jekyll: Liquid blocks and
//! filters ([`liquid`], run by `crate::liquid`), `site.data` from `content/_data` ([`data`]), and `include_relative`.
//! `signpost import` (in `crate::import`) brings a Jekyll site's files over.

pub(crate) mod data;
pub(crate) mod liquid;

use std::path::{Component, Path, PathBuf};

/// `{% include_relative FILE %}`: the file beside the page (or below it), spliced raw.
/// Paths may not climb out of the site's content folder.
pub(crate) fn include_relative(root: &Path, page_source: &Path, file: &str) -> Result<String, String> {
    let path = relative_path(page_source, file)?;
    let file = file.trim().trim_matches(['"', '\'']);
    let real = resolve_inside(root, crate::content::CONTENT_DIR, &path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .ok_or_else(|| format!("`{file}` is a link to a file outside content/"))?;
    let text = std::fs::read_to_string(real).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(crate::content::normalise_text(text))
}

/// The file `{% include_relative FILE %}` in the page at `page_source` names, from the
/// site root, as written (links not followed): within content/, or why not.
pub(crate) fn relative_path(page_source: &Path, file: &str) -> Result<PathBuf, String> {
    let file = file.trim().trim_matches(['"', '\'']);
    let base = page_source.parent().unwrap_or(Path::new(""));
    let mut path = PathBuf::new();
    for part in base.join(file).components() {
        match part {
            Component::Normal(p) => path.push(p),
            Component::ParentDir => {
                if !path.pop() {
                    return Err(format!("`{file}` climbs out of the site"));
                }
            }
            Component::CurDir => {}
            _ => return Err(format!("`{file}` must be a path relative to the page")),
        }
    }
    if !path.starts_with(crate::content::CONTENT_DIR) {
        return Err(format!("`{file}` is outside content/"));
    }
    Ok(path)
}

/// `ROOT/path` with every symbolic link followed, or `None` when it then lies outside
/// `ROOT/dir`: a link inside the site must not publish a file from elsewhere
/// (`content/notes.txt -> /etc/shadow`). Checking the written path alone cannot see that.
fn resolve_inside(root: &Path, dir: &str, path: &Path) -> std::io::Result<Option<PathBuf>> {
    let real = root.join(path).canonicalize()?;
    let allowed = root.join(dir).canonicalize()?;
    Ok(real.starts_with(&allowed).then_some(real))
}

use serde_json::Value;

use crate::content::includes::{IncludeCall, Tags};
use crate::diagnostics::{Diagnostic, Kind, Location};
use crate::liquid::Included;

/// `site.*` that Jekyll computes; a `_config.yml` key of the same name does not hide them
/// (Jekyll's `SiteDrop` answers these before its config).
const COMPUTED_SITE_KEYS: &[&str] =
    &["data", "pages", "posts", "html_pages", "static_files", "collections", "documents", "tags", "categories", "time"];

/// The value `site.KEY` names for Liquid, as in Jekyll: every top-level `_config.yml` key
/// (which `signpost import` keeps in site.yaml's `extra`) is `site.KEY`, ahead of Signpost's
/// own site values of the same name; what Jekyll computes (`site.data`) comes first.
pub(crate) fn site_key<'a>(site: &'a Value, key: &str) -> Option<&'a Value> {
    let from_config = site.get("extra").and_then(|extra| extra.get(key));
    match from_config {
        Some(value) if !COMPUTED_SITE_KEYS.contains(&key) => Some(value),
        _ => site.get(key),
    }
}

/// `site` as Jekyll's Liquid sees it: Signpost's site values with every key of `extra`
/// (the `_config.yml` keys, for an imported site) at the top, as [`site_key`] reads them.
pub(crate) fn liquid_site(site: &Value) -> Value {
    let mut value = site.clone();
    if let (Some(object), Some(Value::Object(extra))) = (value.as_object_mut(), site.get("extra")) {
        for (key, config_value) in extra.iter().filter(|(k, _)| !COMPUTED_SITE_KEYS.contains(&k.as_str())) {
            object.insert(key.clone(), config_value.clone());
        }
    }
    value
}

/// What a page's Liquid sees: `site` (as [`liquid_site`] makes it, with `site.data` and
/// the `_config.yml` keys), `page` (the page's view in Jekyll's shape,
/// `site::view::PageView::liquid`), and `service` when the page has one. All borrowed:
/// the cost of a block does not grow with `site.data`.
pub(crate) fn page_globals<'g>(
    site: &'g Value,
    page: &'g Value,
    service: Option<&'g Value>,
) -> crate::liquid::Globals<'g> {
    let mut vars = crate::liquid::Globals::new();
    vars.borrow("site", site).borrow("page", page);
    match service {
        Some(service) => vars.borrow("service", service),
        None => vars.set("service", Value::Null),
    };
    vars
}

/// Runs one Liquid template for a page; includes it asks for go through `tags`, so they
/// render with the theme's includes like any other.
pub(crate) fn render_liquid<T: Tags<Error = Diagnostic>>(
    tags: &mut T,
    template: &str,
    globals: &crate::liquid::Globals<'_>,
    span: std::ops::Range<usize>,
    at: Location,
    limits: &crate::liquid::Limits,
) -> Result<Option<String>, Diagnostic> {
    let rendered = liquid::render(template, globals, limits, |request| {
        if request.relative {
            let file = request.name.clone();
            return tags.include_relative(&file, span.clone()).map(|t| Included::Text(t.unwrap_or_default()));
        }
        let call = IncludeCall { name: request.name.clone(), params: request.params.clone(), span: span.clone() };
        tags.include(&call).map(Included::Text)
    });
    match rendered {
        Ok(text) => Ok(Some(text)),
        Err(liquid::BlockError::Include(d)) => Err(d),
        Err(liquid::BlockError::Liquid(e)) => Err(liquid_diagnostic(&e, None, limits).at(at).spanning(2)),
    }
}

/// A Liquid error as a diagnostic, with what to do about it.
fn liquid_diagnostic(e: &crate::liquid::Error, file: Option<&Path>, limits: &crate::liquid::Limits) -> Diagnostic {
    let mut message = match file {
        Some(file) => format!("in {}: {}", file.display(), e.message),
        None => e.message.clone(),
    };
    if let Some((name, _)) = &e.partial {
        message = format!("{message} (in the include `{name}`)");
    }
    let hint = match e.kind {
        crate::liquid::ErrorKind::Limit => format!(
            "Liquid stops at {} nested blocks, {} includes inside one another, {} loop steps and {} bytes of \
             output; raise them under `liquid:` in site.yaml if the page needs more (docs/jekyll.md)",
            limits.max_depth, limits.max_include_depth, limits.max_iterations, limits.max_output
        ),
        _ => "Liquid runs as Jekyll runs it; docs/jekyll.md lists the tags and filters pages may use".to_string(),
    };
    Diagnostic::error(Kind::Liquid, message).hint(hint)
}

/// `include_relative` for a page, as a diagnostic at the tag when the file cannot be read.
pub(crate) fn include_relative_tag(
    root: &Path,
    page: &Path,
    file: &str,
    at: Location,
    len: usize,
) -> Result<String, Diagnostic> {
    include_relative(root, page, file).map_err(|message| {
        Diagnostic::error(Kind::IncludeRelative, message)
            .at(at)
            .spanning(len)
            .hint("include_relative reads a file beside the page (or below it), inside content/")
    })
}

/// A Jekyll site's own includes, beside `content/`: what `signpost import` copies from `_includes`.
pub(crate) const INCLUDES_DIR: &str = "_includes";

/// `ROOT/_includes/NAME` rendered with Liquid (as Jekyll renders every include, whatever
/// its extension), seeing `include`, `page` and `site`; `None` when there is no such file.
/// Includes inside it render in place, from the same folder.
pub(crate) fn site_include(
    root: &Path,
    call: &IncludeCall,
    globals: &crate::liquid::Globals<'_>,
    at: Location,
    limits: &crate::liquid::Limits,
) -> Option<Result<String, Diagnostic>> {
    let text = match read_site_include(root, &call.name)? {
        Ok(text) => text,
        Err(message) => {
            return Some(Err(Diagnostic::error(Kind::Include, message)
                .at(at)
                .hint(format!("copy the file into {INCLUDES_DIR}/ instead of linking to it"))))
        }
    };
    let mut scope = globals.clone();
    scope.set(
        "include",
        Value::Object(call.params.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect()),
    );
    let file = Path::new(INCLUDES_DIR).join(call.name.trim_start_matches('/'));
    let rendered = liquid::render(&text, &scope, limits, |request| match read_site_include(root, &request.name) {
        Some(Ok(source)) if !request.relative => Ok(Included::Liquid(source)),
        Some(Err(message)) => Err(Diagnostic::error(Kind::Include, message).at(at.clone())),
        _ => Err(Diagnostic::error(
            Kind::UnknownInclude,
            format!("{} includes `{}`, which does not exist", file.display(), request.name),
        )
        .at(at.clone())
        .hint(format!("add {INCLUDES_DIR}/{}", request.name))),
    });
    Some(match rendered {
        Ok(text) => Ok(text),
        Err(liquid::BlockError::Include(d)) => Err(d),
        Err(liquid::BlockError::Liquid(e)) => Err(liquid_diagnostic(&e, Some(&file), limits).at(at)),
    })
}

/// The text of `ROOT/_includes/NAME` (a leading `/` allowed, as Ruby's File.join makes
/// it in Jekyll); `None` when there is no such file or the name climbs out of the folder,
/// an error when it is a link to a file outside it.
fn read_site_include(root: &Path, name: &str) -> Option<Result<String, String>> {
    let relative = Path::new(name.trim_start_matches('/'));
    if relative.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let file = Path::new(INCLUDES_DIR).join(relative);
    match resolve_inside(root, INCLUDES_DIR, &file) {
        Ok(Some(path)) => Some(Ok(crate::content::normalise_text(std::fs::read_to_string(path).ok()?))),
        Ok(None) => Some(Err(format!("`{name}` is a link to a file outside {INCLUDES_DIR}/"))),
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What a page's Liquid sees, as one value.
    fn globals(site: &Value, page: &Value, service: Option<&Value>) -> Value {
        json!({"site": liquid_site(site), "page": page, "service": service})
    }

    #[test]
    fn config_keys_are_site_keys_as_in_jekyll() {
        let site = json!({"title": "Signpost title", "data": {"g": 1},
                          "extra": {"site_title": "Portal", "title": "Config title", "data": "hidden"}});
        assert_eq!(site_key(&site, "site_title"), Some(&json!("Portal")));
        assert_eq!(site_key(&site, "title"), Some(&json!("Config title")));
        assert_eq!(site_key(&site, "data"), Some(&json!({"g": 1})), "Jekyll's own site.data comes first");
        let globals = globals(&site, &json!({}), None);
        assert_eq!(globals["site"]["site_title"], "Portal");
        assert_eq!(globals["site"]["title"], "Config title");
        assert_eq!(globals["site"]["data"], json!({"g": 1}));
    }
}
