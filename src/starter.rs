//! `signpost new DIR`: a small site to start from, with the default theme written out
//! so it can be changed.

use std::path::Path;

use crate::theme::{embedded_files, DEFAULT_THEME};

const SITE_YAML: &str = "\
# Signpost site settings. Every key is described in the README.
title: My API portal
description: Guides and reference for the people who integrate with our APIs.
base_url: /
theme: default
sidebar: main_sidebar
";

const HOME: &str = "\
---
title: Welcome
summary: What this portal covers and where to start.
permalink: index.html
toc: false
---

This portal explains how to connect to our APIs. Start with [getting started](getting_started.html).
";

const GETTING_STARTED: &str = "\
---
title: Getting started
summary: The first steps to a working connection.
tags: [getting-started]
permalink: getting_started.html
---

## Request access

Ask your onboarding contact for test credentials.

{% include note.html content=\"Credentials for the test environment never work in live.\" %}

## Make a first request

```http
GET /Patient/9000000009 HTTP/1.1
Accept: application/fhir+json
```
";

const SIDEBAR: &str = "\
entries:
- title: sidebar
  product: My API portal
  folders:
  - title: Start here
    output: web
    folderitems:
    - title: Welcome
      url: /index.html
      output: web
    - title: Getting started
      url: /getting_started.html
      output: web
";

/// Creates the starter site; refuses a folder that already holds files.
pub fn create(dir: &Path) -> std::io::Result<()> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!("{} already exists and is not empty; choose a new folder", dir.display()),
        ));
    }
    let files: [(&str, &[u8]); 4] = [
        ("site.yaml", SITE_YAML.as_bytes()),
        ("content/index.md", HOME.as_bytes()),
        ("content/getting_started.md", GETTING_STARTED.as_bytes()),
        ("content/_data/sidebars/main_sidebar.yml", SIDEBAR.as_bytes()),
    ];
    for (path, bytes) in files {
        write(&dir.join(path), bytes)?;
    }
    for file in embedded_files(&DEFAULT_THEME) {
        write(&dir.join("themes/default").join(file.path()), file.contents())?;
    }
    write(&dir.join(".gitignore"), b"public/\n.signpost-cache/\n")
}

fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, bytes)
}
