//! How links written by authors become URLs in the output: base_url, services under
//! `/<id>/` in the portal, or at the root when one service is built alone.

use crate::content::{Permalink, Scope};

#[derive(Debug, Clone)]
pub struct Urls {
    /// Ends with `/`.
    pub base: String,
    pub scope: Scope,
    pub services: Vec<String>,
    /// The whole portal's address, for links into other services from a standalone build.
    pub portal: String,
}

impl Urls {
    pub fn page(&self, permalink: &Permalink) -> String {
        format!("{}{}", self.base, permalink.url())
    }

    /// A path under the output root: `assets/x.css` -> `/portal/assets/x.css`.
    pub fn file(&self, path: &str) -> String {
        format!("{}{}", self.base, path.trim_start_matches('/'))
    }

    /// The home page of a service (`None`: of the portal).
    pub fn service_home(&self, service: Option<&str>) -> String {
        match (service, &self.scope) {
            (Some(id), Scope::Service(own)) if id != own => format!("{}{id}/", self.portal),
            (Some(id), Scope::Portal) => format!("{}{id}/", self.base),
            _ => self.base.clone(),
        }
    }

    /// Maps a link written by an author in a page or sidebar of `service`. Root-relative
    /// links (`/x.html`) mean the root of the author's service, or of the service their
    /// first folder names (`/nrls/x.html`); other links are returned unchanged.
    pub fn link(&self, written: &str, service: Option<&str>) -> Option<String> {
        let path = written.strip_prefix('/').filter(|_| !written.starts_with("//"))?;
        let first = path.split(['/', '#', '?']).next().unwrap_or("");
        let named = self.services.iter().find(|s| *s == first && path.len() > first.len());
        // Joined with `concat`, not `format!`: a link of every page comes through here.
        Some(match (&self.scope, named) {
            (Scope::Portal, Some(_)) => [self.base.as_str(), path].concat(),
            (Scope::Portal, None) => match service {
                Some(s) => [self.base.as_str(), s, "/", path].concat(),
                None => [self.base.as_str(), path].concat(),
            },
            (Scope::Service(own), Some(named)) if named == own => {
                [self.base.as_str(), path[first.len()..].trim_start_matches('/')].concat()
            }
            (Scope::Service(_), Some(_)) => [self.portal.as_str(), path].concat(),
            (Scope::Service(_), None) => [self.base.as_str(), path].concat(),
        })
    }
}

/// A URL as the page it names: without its fragment, and `dir/index.html` as `dir/`.
/// Two URLs with the same key are the same page.
pub(crate) fn page_key(url: &str) -> &str {
    let url = url.split('#').next().unwrap_or(url);
    url.strip_suffix("index.html").unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(scope: Scope) -> Urls {
        Urls {
            base: "/p/".into(),
            scope,
            services: vec!["nrls".into(), "smsp".into()],
            portal: "https://portal.example/".into(),
        }
    }

    #[test]
    fn a_page_is_the_same_with_a_fragment_or_index_html() {
        assert_eq!(page_key("/a/b.html#x"), "/a/b.html");
        assert_eq!(page_key("/a/index.html#top"), "/a/");
        assert_eq!(page_key("/a/"), "/a/");
    }

    #[test]
    fn portal_mode() {
        let u = urls(Scope::Portal);
        assert_eq!(u.link("/x.html#a", Some("nrls")).unwrap(), "/p/nrls/x.html#a");
        assert_eq!(u.link("/smsp/x.html", Some("nrls")).unwrap(), "/p/smsp/x.html");
        assert_eq!(u.link("/x.html", None).unwrap(), "/p/x.html");
        assert_eq!(u.link("x.html", Some("nrls")), None);
        assert_eq!(u.link("//cdn/x", None), None);
    }

    #[test]
    fn standalone_mode() {
        let u = urls(Scope::Service("nrls".into()));
        assert_eq!(u.link("/x.html", Some("nrls")).unwrap(), "/p/x.html");
        assert_eq!(u.link("/nrls/x.html", Some("nrls")).unwrap(), "/p/x.html");
        assert_eq!(u.link("/smsp/x.html", Some("nrls")).unwrap(), "https://portal.example/smsp/x.html");
    }
}
