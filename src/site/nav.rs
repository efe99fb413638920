//! The sidebar as a layout sees it (`sidebar` in the template context).
//!
//! A page's sidebar differs from its neighbours' only in the entries that link to the
//! page (`current`) and the folders above them (`open`). So each sidebar is converted
//! for templates once per render and service, and a page's copy makes again only the
//! path down to its own entries; the rest is shared (Tera's values are reference
//! counted). With a sidebar of 80 entries, making and converting the whole tree for
//! every page was two fifths of rendering 10,000 pages.

use std::collections::HashMap;

use serde_json::json;
use tera::Value;

use super::sidebar::{Sidebar, SidebarItem};
use super::urls::page_key;
use super::Site;

/// The sidebars the pages of a render show, ready for templates.
pub(super) struct SidebarValues<'s> {
    /// By sidebar name and service.
    sidebars: HashMap<(&'s str, Option<&'s str>), Tree>,
}

/// One sidebar for one service.
struct Tree {
    /// The sidebar with no entry current and no folder open.
    closed: Value,
    /// Each entry's resolved URL, in the shape of the sidebar's entries.
    urls: Vec<Entry>,
}

struct Entry {
    /// The page the entry links to, as [`page_key`] gives it: made once here, not for
    /// every page the sidebar is shown on.
    page: Option<String>,
    children: Vec<Entry>,
}

impl<'s> SidebarValues<'s> {
    /// Converts each sidebar for each service that shows it.
    pub(super) fn new(site: &'s Site) -> SidebarValues<'s> {
        let mut sidebars = HashMap::new();
        for page in &site.content.pages {
            let Some(name) = site.sidebar_name(page) else { continue };
            let key = (name, page.service.as_deref());
            if sidebars.contains_key(&key) {
                continue;
            }
            if let Some(sidebar) = site.sidebars.get(name) {
                sidebars.insert(key, Tree::new(site, sidebar, key.1));
            }
        }
        SidebarValues { sidebars }
    }

    /// The sidebar for a page at `page_url` of `service`; none when the page shows none.
    pub(super) fn for_page(&self, name: Option<&str>, service: Option<&str>, page_url: &str) -> Value {
        let tree = name.and_then(|n| self.sidebars.get(&(n, service)));
        match tree {
            Some(tree) => tree.for_page(page_url),
            None => Value::none(),
        }
    }
}

impl Tree {
    fn new(site: &Site, sidebar: &Sidebar, service: Option<&str>) -> Tree {
        fn entry(site: &Site, node: &SidebarItem, service: Option<&str>) -> (serde_json::Value, Entry) {
            let url = node.url.as_deref().map(|u| resolve_sidebar_url(site, u, node.external, service));
            let (children, urls): (Vec<_>, Vec<_>) = node.children.iter().map(|c| entry(site, c, service)).unzip();
            let value = json!({
                "title": node.title, "url": url, "external": node.external, "current": false, "open": false,
                "children": children,
            });
            let page = url.as_deref().map(|u| page_key(u).to_string());
            (value, Entry { page, children: urls })
        }
        let (items, urls): (Vec<_>, Vec<_>) = sidebar.items.iter().map(|i| entry(site, i, service)).unzip();
        let closed = json!({
            "name": sidebar.name, "product": sidebar.product, "version": sidebar.version, "items": items,
        });
        Tree { closed: Value::from_serializable(&closed), urls }
    }

    fn for_page(&self, page_url: &str) -> Value {
        let Some(map) = self.closed.as_map() else { return self.closed.clone() };
        let items = map.get(&"items".into()).and_then(Value::as_array).unwrap_or_default();
        match mark(items, &self.urls, page_key(page_url)) {
            Some(items) => {
                let mut map = map.clone();
                map.insert("items".into(), Value::from(items));
                Value::from(map)
            }
            None => self.closed.clone(),
        }
    }
}

/// `items` with the entries linking to `page` (a [`page_key`]) current and their
/// folders open, or `None` when no entry among them (or below) links to it.
fn mark(items: &[Value], urls: &[Entry], page: &str) -> Option<Vec<Value>> {
    let mut marked: Option<Vec<Value>> = None;
    for (i, (item, entry)) in items.iter().zip(urls).enumerate() {
        let Some(map) = item.as_map() else { continue };
        let current = entry.page.as_deref() == Some(page);
        let children = map.get(&"children".into()).and_then(Value::as_array).unwrap_or_default();
        let children = mark(children, &entry.children, page);
        if !current && children.is_none() {
            continue;
        }
        let mut map = map.clone();
        map.insert("current".into(), Value::from(current));
        map.insert("open".into(), Value::from(true));
        if let Some(children) = children {
            map.insert("children".into(), Value::from(children));
        }
        marked.get_or_insert_with(|| items.to_vec())[i] = Value::from(map);
    }
    marked
}

/// Sidebar URLs are written from the root of the site (or service), with or without `/`.
pub(super) fn resolve_sidebar_url(site: &Site, url: &str, external: bool, service: Option<&str>) -> String {
    if external || url.contains("://") || url.starts_with("mailto:") {
        return url.to_string();
    }
    let rooted = if url.starts_with('/') { url.to_string() } else { format!("/{url}") };
    site.urls.link(&rooted, service).unwrap_or(rooted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flag(item: &Value, key: &'static str) -> Option<bool> {
        item.as_map()?.get(&key.into())?.as_bool()
    }

    #[test]
    fn an_entry_is_current_on_its_page_whatever_its_fragment_or_index_html() {
        let written = ["/a/#top", "/b.html"];
        let items: Vec<Value> = written
            .iter()
            .map(|u| Value::from_serializable(&json!({"url": u, "current": false, "open": false, "children": []})))
            .collect();
        let urls: Vec<Entry> =
            written.iter().map(|u| Entry { page: Some(page_key(u).to_string()), children: Vec::new() }).collect();

        let marked = mark(&items, &urls, page_key("/a/index.html")).expect("the first entry links to /a/");
        assert_eq!((flag(&marked[0], "current"), flag(&marked[0], "open")), (Some(true), Some(true)));
        assert_eq!(flag(&marked[1], "current"), Some(false), "the other entry stays as it was");
        assert!(mark(&items, &urls, page_key("/b.html#later")).is_some_and(|m| flag(&m[1], "current") == Some(true)));
        assert!(mark(&items, &urls, page_key("/c.html")).is_none(), "no entry links to /c.html");
    }
}
