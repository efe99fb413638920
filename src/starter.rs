//! `signpost new DIR`: a small site to start from, with the default theme written out
//! so it can be changed.

use std::path::Path;

use crate::theme::{embedded_files, DEFAULT_THEME};

const SITE_YAML: &str = "\
# Signpost site settings. Every key is described in the README.
title: My API portal
description: Guides and reference for the people who integrate with our APIs.
base_url: /
# Where the site is published (scheme and host): the sitemap lists full URLs under it.
# url: https://developer.example.org
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

Our [accessibility statement](accessibility.html) says how accessible the portal is and how to report a problem.
";

/// Public sector sites must publish one; this is a start the site's owner completes.
const ACCESSIBILITY: &str = "\
---
title: Accessibility statement
summary: How accessible this portal is and how to tell us about a problem.
permalink: accessibility.html
---

We want everyone who needs this portal to be able to use it: with a keyboard alone, with a
screen reader, zoomed in, on a phone, and in dark mode.

## How accessible the portal is

We aim to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA.
List here anything that does not meet it yet, and when you expect to fix it.

## Tell us about a problem

If you cannot use part of this portal, or need its content in another format, write to
the team that runs it (give an email address here). Say which page you were on and what went wrong.

## How we test the portal

Say how you check the pages: for example, automated checks with axe-core on every page,
and using the portal with a keyboard and a screen reader when its design changes.

This statement was prepared on (the date). Review it at least once a year.
";

const GETTING_STARTED: &str = "\
---
title: Getting started
summary: The first steps to a working connection.
tags: [getting-started]
permalink: getting_started.html
---

The steps, who takes them, and the section of this page for each:

{% include process.html id=\"onboarding\" %}

## Request access

Ask your onboarding contact for test credentials.

{% include note.html content=\"Credentials for the test environment never work in live.\" %}

## Approve access

We check the request and send the credentials, usually within two working days.

## Make a first request

```http
GET /Patient/9000000009 HTTP/1.1
Accept: application/fhir+json
```
";

/// A small process, placed on the getting started page: each stage links to the section
/// of that page with its title. Edit it, or copy it for a process of your own.
const PROCESS: &str = "\
# A process diagram: who does what, in order. docs/process-format.md describes the format.
id: onboarding
title: Getting connected
description: You request access, we approve it, and you make your first request.
lanes:
  - id: you
    title: Your team
  - id: us
    title: Our team
stages:
  - id: request
    title: Request access
    lane: you
    kind: start
    summary: Ask your onboarding contact for test credentials.
    next: [approve]
  - id: approve
    title: Approve access
    lane: us
    summary: We check the request and send the credentials.
    next: [first-request]
  - id: first-request
    title: Make a first request
    lane: you
    kind: end
    summary: Call the test environment with your credentials.
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
    let files: [(&str, &[u8]); 6] = [
        ("site.yaml", SITE_YAML.as_bytes()),
        ("content/index.md", HOME.as_bytes()),
        ("content/accessibility.md", ACCESSIBILITY.as_bytes()),
        ("content/getting_started.md", GETTING_STARTED.as_bytes()),
        ("diagrams/onboarding.yaml", PROCESS.as_bytes()),
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
