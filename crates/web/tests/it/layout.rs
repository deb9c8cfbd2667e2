//! The layout of `app` and `web`: no file imports a file that imports it
//! back, directly or round a longer circle (issue 18). A file "imports"
//! another when it names a path into it: `crate::…` or `super::…` paths,
//! `use` declarations and the names they bring in, and a module's own
//! children. Test modules (`#[cfg(test)] mod tests`) are left out; so is
//! the crate root (`lib.rs`), which declares every module and assembles
//! `App` from the areas.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module a file holds: `stats/mod.rs` is `stats`, `stats/sql.rs` is
/// `stats::sql`, `lib.rs` is the root (empty).
fn module_of(root: &Path, file: &Path) -> Module {
    let rel = file.strip_prefix(root).unwrap().with_extension("");
    let mut parts: Module = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts
        .last()
        .is_some_and(|l| l == "mod" || l == "lib" || l == "main")
    {
        parts.pop();
    }
    parts
}

/// The code of a file without comments and without its test module.
fn code(text: &str) -> String {
    let text = text
        .split("\n#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Expands `a::{b, c::{d, e as f}}` into `a::b`, `a::c::d`, `a::c::e as f`.
fn expand(prefix: &str, body: &str, out: &mut Vec<String>) {
    let mut depth = 0;
    let mut item = String::new();
    let mut items = Vec::new();
    for ch in body.chars() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if ch == ',' && depth == 0 {
            items.push(std::mem::take(&mut item));
        } else {
            item.push(ch);
        }
    }
    items.push(item);
    for item in items {
        let item: String = item.split_whitespace().collect::<Vec<_>>().join(" ");
        if item.is_empty() {
            continue;
        }
        match item.split_once("::{") {
            Some((head, rest)) if rest.ends_with('}') => {
                expand(&format!("{prefix}{head}::"), &rest[..rest.len() - 1], out);
            }
            _ if item.starts_with('{') && item.ends_with('}') => {
                expand(prefix, &item[1..item.len() - 1], out);
            }
            _ => out.push(format!("{prefix}{item}")),
        }
    }
}

/// The `use crate::…` and `use super::…` declarations, expanded.
fn uses(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in code.split("use ").skip(1) {
        let Some(decl) = part.split(';').next() else {
            continue;
        };
        let decl: String = decl.split_whitespace().collect::<Vec<_>>().join(" ");
        if decl.starts_with("crate::") || decl.starts_with("super::") {
            expand("", &decl, &mut out);
        }
    }
    out
}

/// `ident::ident::…` paths starting at each occurrence of `head` (a whole word).
fn paths_from(code: &str, head: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut at = 0;
    while let Some(i) = code[at..].find(head) {
        let start = at + i;
        at = start + head.len();
        if start > 0 && (word(bytes[start - 1]) || bytes[start - 1] == b':') {
            continue;
        }
        let rest = &code[start..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        let path = rest[..end].trim_end_matches(':');
        if path.len() > head.len() && path[head.len()..].starts_with("::") {
            out.push(path.to_owned());
        }
    }
    out
}

/// The modules each file of one crate names.
fn graph(root: &Path) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut files = Vec::new();
    sources(root, &mut files);
    let modules: BTreeMap<Module, PathBuf> = files
        .iter()
        .map(|f| (module_of(root, f), f.clone()))
        .collect();
    let mut edges = BTreeMap::new();
    for (module, file) in &modules {
        let code = code(&std::fs::read_to_string(file).unwrap());
        let is_mod = file.ends_with("mod.rs") || file.ends_with("lib.rs");
        // The module `super` names from this file.
        let parent: Module = if is_mod {
            module[..module.len().saturating_sub(1)].to_vec()
        } else {
            module[..module.len() - 1].to_vec()
        };
        let absolute = |path: &str| -> Module {
            let mut segs = path.split("::").map(str::to_owned);
            let mut base = match segs.next().as_deref() {
                Some("super") => parent.clone(),
                Some(first) if first != "crate" => vec![first.to_owned()],
                _ => Vec::new(),
            };
            for s in segs {
                if s == "super" {
                    base.pop();
                } else {
                    base.push(s);
                }
            }
            base
        };
        let mut paths: Vec<Module> = Vec::new();
        // Names brought in by `use`, and the module's own children, used
        // as the head of a path.
        let mut aliases: BTreeMap<String, Module> = BTreeMap::new();
        for u in uses(&code) {
            let (path, alias) = match u.split_once(" as ") {
                Some((p, a)) => (p.to_owned(), Some(a.to_owned())),
                None => (u.clone(), None),
            };
            let mut full = absolute(&path);
            if full.last().is_some_and(|l| l == "self") {
                full.pop();
            }
            let name = alias.unwrap_or_else(|| full.last().cloned().unwrap_or_default());
            paths.push(full.clone());
            aliases.insert(name, full);
        }
        if is_mod {
            for child in modules.keys() {
                if child.len() == module.len() + 1 && child.starts_with(module) {
                    aliases
                        .entry(child[module.len()].clone())
                        .or_insert_with(|| child.clone());
                }
            }
        }
        for head in ["crate", "super"] {
            paths.extend(paths_from(&code, head).iter().map(|p| absolute(p)));
        }
        for (name, full) in &aliases {
            for p in paths_from(&code, name) {
                let mut m = full.clone();
                m.extend(p.split("::").skip(1).map(str::to_owned));
                paths.push(m);
            }
        }
        let mut targets = BTreeSet::new();
        for p in paths {
            // The longest prefix that is a file.
            let target = (0..=p.len())
                .rev()
                .map(|i| p[..i].to_vec())
                .find(|m| modules.contains_key(m));
            if let Some(t) = target
                && !t.is_empty()
                && t != *module
            {
                targets.insert(t);
            }
        }
        edges.insert(module.clone(), targets);
    }
    edges
}

/// Circles of the graph: each strongly connected set of two or more files.
fn circles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<String>> {
    // Reachability by depth-first search from each node (a few hundred
    // files: quadratic is fine).
    let reach = |from: &Module| -> BTreeSet<Module> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(m) = stack.pop() {
            for t in edges.get(&m).into_iter().flatten() {
                if seen.insert(t.clone()) {
                    stack.push(t.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&Module, BTreeSet<Module>> =
        edges.keys().map(|m| (m, reach(m))).collect();
    let mut found: BTreeSet<Vec<String>> = BTreeSet::new();
    for (m, r) in &reaches {
        if !r.contains(*m) {
            continue;
        }
        let mut circle: Vec<String> = r
            .iter()
            .filter(|o| reaches.get(o).is_some_and(|back| back.contains(*m)))
            .map(|o| o.join("::"))
            .collect();
        circle.sort();
        found.insert(circle);
    }
    found.into_iter().collect()
}

fn crate_src(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(name)
        .join("src")
}

#[test]
fn no_file_of_app_or_web_imports_one_that_imports_it_back() {
    for name in ["app", "web"] {
        let edges = graph(&crate_src(name));
        assert!(edges.len() > 20, "{name}: files found: {}", edges.len());
        let linked = edges.values().filter(|t| !t.is_empty()).count();
        assert!(linked > 20, "{name}: files naming another: {linked}");
        let circles = circles(&edges);
        assert!(circles.is_empty(), "{name}: import circles: {circles:?}");
    }
}

/// The analysis itself finds a circle, through a `use` group, a `super`
/// path and a module's child: a test that cannot fail proves nothing.
#[test]
fn the_circle_finder_sees_a_circle() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("area")).unwrap();
    std::fs::write(src.join("lib.rs"), "pub mod area;\npub mod kernel;\n").unwrap();
    std::fs::write(
        src.join("kernel.rs"),
        "use crate::{area::{one}};\nfn f() { one::g(); }\n",
    )
    .unwrap();
    std::fs::write(src.join("area/mod.rs"), "pub mod one;\npub mod two;\n").unwrap();
    std::fs::write(src.join("area/one.rs"), "use super::two;\npub fn g() {}\n").unwrap();
    std::fs::write(
        src.join("area/two.rs"),
        "// use crate::kernel; (a comment names nothing)\npub fn h() { crate::kernel::f(); }\n",
    )
    .unwrap();
    let edges = graph(src);
    assert_eq!(
        circles(&edges),
        vec![vec![
            "area::one".to_owned(),
            "area::two".to_owned(),
            "kernel".to_owned()
        ]]
    );
    std::fs::write(src.join("area/two.rs"), "pub fn h() {}\n").unwrap();
    assert!(circles(&graph(src)).is_empty());
}
