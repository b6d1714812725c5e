//! Evidence and engine text as people read them: a link only for an
//! http(s) URL, negative durations said in words.

pub struct Evidence {
    pub href: Option<String>,
    pub text: String,
}

pub struct EvidenceLink {
    pub href: String,
    pub text: String,
}

pub fn is_link(s: &str) -> bool {
    s.starts_with("https://") || s.starts_with("http://")
}

/// Evidence as text, and as a link only when it is an http(s) URL.
pub fn evidence(e: &str) -> Evidence {
    if is_link(e) {
        let shown = e
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_start_matches("www.");
        let shown = if shown.chars().count() > 64 {
            format!("{}…", shown.chars().take(63).collect::<String>())
        } else {
            shown.to_string()
        };
        Evidence {
            href: Some(e.to_string()),
            text: shown,
        }
    } else {
        Evidence {
            href: None,
            text: e.to_string(),
        }
    }
}

/// Engine text as people read it: a negative duration such as
/// `= -7d 8h 43m 36s` (an upgrade that beats the exit) becomes
/// `= none (7d 8h 43m 36s too short)`. The JSON keeps the engine's text.
pub fn no_negative(text: &str) -> String {
    let is_unit = |t: &str| {
        let t = t.trim_end_matches([',', ';', '.', ')']);
        t.len() >= 2
            && t.ends_with(['d', 'h', 'm', 's'])
            && t[..t.len() - 1].bytes().all(|b| b.is_ascii_digit())
    };
    let mut out: Vec<String> = Vec::new();
    let mut tokens = text.split(' ').peekable();
    while let Some(tok) = tokens.next() {
        let rest = tok.strip_prefix('-').or_else(|| tok.strip_prefix('−'));
        match rest {
            Some(first) if is_unit(first) => {
                let mut dur = vec![first.to_string()];
                while let Some(next) = tokens.peek() {
                    if is_unit(next)
                        && !dur
                            .last()
                            .is_some_and(|d| d.ends_with([',', ';', '.', ')']))
                    {
                        dur.push((*next).to_string());
                        tokens.next();
                    } else {
                        break;
                    }
                }
                let last = dur.last_mut().expect("one token");
                let trail: String = last
                    .chars()
                    .rev()
                    .take_while(|c| [',', ';', '.', ')'].contains(c))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                last.truncate(last.len() - trail.len());
                out.push(format!("none ({} too short){trail}", dur.join(" ")));
            }
            _ => out.push(tok.to_string()),
        }
    }
    out.join(" ")
}
