//! The report's HTML: one page, no scripts, every image embedded as a
//! `data:` URI, so it can be mailed, archived or opened offline.

use std::fmt::Write as _;

use base64::Engine as _;

use super::checks::QualityChecks;
use crate::figures::Figure;
use crate::store::RunCatalog;

/// The page's sections: (id, heading), in order.
const SECTIONS: [(&str, &str); 7] = [
    ("summary", "Summary"),
    ("warnings", "Warnings"),
    ("maps", "Maps"),
    ("quality", "Quality checks"),
    ("stages", "Stages"),
    ("session", "Session"),
    ("pipeline", "Pipeline"),
];

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}\
h1{font-size:1.6rem}h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2rem}\
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.25rem .6rem;text-align:left;vertical-align:top}\
th{background:#f4f4f4}pre{background:#f7f7f7;padding:.6rem;overflow-x:auto}\
.figures{display:flex;flex-wrap:wrap;gap:1rem}figure{margin:0}figure img{max-width:34rem;border:1px solid #ddd}\
.status-complete{color:#176b1b}.status-failed,.status-interrupted{color:#a11}.warning{color:#8a5a00}";

/// Text made safe inside HTML elements and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A two-column table of (label, HTML value) rows.
fn facts(out: &mut String, rows: &[(&str, String)]) {
    out.push_str("<table>");
    for (label, value) in rows {
        let _ = write!(out, "<tr><th>{}</th><td>{value}</td></tr>", escape(label));
    }
    out.push_str("</table>\n");
}

fn heading(out: &mut String, index: usize) {
    let (id, title) = SECTIONS[index];
    let _ = writeln!(out, "<section id=\"{id}\"><h2>{title}</h2>");
}

/// The whole page.
pub fn page(
    run: &RunCatalog,
    checks: &QualityChecks,
    figures: &[Figure],
    areas: Option<&[String]>,
) -> String {
    let mut out = String::new();
    let title = format!("macroscope report: {}", run.pipeline_name);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>\n<h1>{}</h1>\n",
        escape(&title),
        escape(&title)
    );
    summary(&mut out, run);
    warnings(&mut out, run);
    maps(&mut out, figures, areas);
    quality(&mut out, checks);
    stages(&mut out, run);
    session(&mut out, run);
    heading(&mut out, 6);
    let _ = writeln!(
        out,
        "<p>{}</p><pre>{}</pre></section>",
        escape(&run.pipeline_file),
        escape(&run.pipeline_toml)
    );
    let _ = write!(
        out,
        "<footer><p>Written by macroscope {} from {}.</p></footer>\n</body></html>\n",
        env!("CARGO_PKG_VERSION"),
        escape(&run.path.display().to_string())
    );
    out
}

fn summary(out: &mut String, run: &RunCatalog) {
    heading(out, 0);
    let status = format!(
        "<strong class=\"status-{s}\">{s}</strong>",
        s = escape(&run.status)
    );
    let finished = if run.finished.is_empty() {
        "not recorded".to_owned()
    } else {
        run.finished.clone()
    };
    let mut rows = vec![
        ("status", status),
        ("file", escape(&run.path.display().to_string())),
        ("run id", escape(&run.run_id)),
        ("started", escape(&run.created)),
        ("finished", escape(&finished)),
        ("host", format!("macroscope {}", escape(&run.host_version))),
    ];
    if !run.error.is_empty() {
        rows.push(("error", escape(&run.error)));
    }
    facts(out, &rows);
    out.push_str("</section>\n");
}

fn warnings(out: &mut String, run: &RunCatalog) {
    heading(out, 1);
    if run.warnings.is_empty() {
        out.push_str("<p>None: no stage reported a suspect result.</p>");
    } else {
        out.push_str("<ul>");
        for w in &run.warnings {
            let _ = write!(
                out,
                "<li class=\"warning\"><strong>{} ({})</strong>: {}</li>",
                escape(&w.stage),
                escape(&w.plugin),
                escape(&w.message)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>\n");
}

fn maps(out: &mut String, figures: &[Figure], areas: Option<&[String]>) {
    heading(out, 2);
    if figures.is_empty() {
        out.push_str("<p>This run made no retinotopic maps.</p></section>\n");
        return;
    }
    out.push_str("<div class=\"figures\">");
    for figure in figures {
        let caption = figure.name.trim_end_matches(".png").replace('_', " ");
        let _ = write!(
            out,
            "<figure><img alt=\"{c}\" src=\"data:image/png;base64,{}\"></figure>",
            base64::engine::general_purpose::STANDARD.encode(&figure.png),
            c = escape(&caption)
        );
    }
    out.push_str("</div>");
    match areas {
        Some([]) | None => out.push_str("<p>No named visual areas.</p>"),
        Some(names) => {
            let _ = write!(
                out,
                "<p>{} named visual areas: {}.</p>",
                names.len(),
                escape(&names.join(", "))
            );
        }
    }
    out.push_str("</section>\n");
}

fn quality(out: &mut String, checks: &QualityChecks) {
    heading(out, 3);
    if checks.cameras.is_empty() && checks.responses.is_empty() {
        out.push_str("<p>No camera movie and no Fourier maps in this run.</p>");
    }
    if !checks.cameras.is_empty() {
        out.push_str("<h3>Camera frames</h3><table><tr><th>stage</th><th>frames stored</th><th>frames dropped</th><th>frame interval (median)</th><th>jitter (sd)</th><th>longest interval</th></tr>");
        for c in &checks.cameras {
            let (median, sd, max) = match c.intervals {
                Some(i) => (
                    format!("{:.2} ms", i.median_ms),
                    format!("{:.2} ms", i.sd_ms),
                    format!("{:.2} ms", i.max_ms),
                ),
                None => ("no times".into(), String::new(), String::new()),
            };
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{median}</td><td>{sd}</td><td>{max}</td></tr>",
                escape(&c.stage),
                c.frames,
                c.dropped
            );
        }
        out.push_str("</table>\n");
    }
    for r in &checks.responses {
        let _ = write!(
            out,
            "<h3>Response of <code>{}</code> per direction</h3><table><tr><th>direction</th><th>median response (ΔR/R)</th><th>pixels with a response</th></tr>",
            escape(&r.stage)
        );
        for (name, median, covered) in &r.directions {
            let median = median.map_or("none: no frames".to_owned(), |m| format!("{m:.2e}"));
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{median}</td><td>{:.0} %</td></tr>",
                escape(name),
                covered * 100.0
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str("</section>\n");
}

fn stages(out: &mut String, run: &RunCatalog) {
    heading(out, 4);
    out.push_str("<table><tr><th>stage</th><th>plugin</th><th>kind</th><th>outputs</th><th>provenance</th><th>parameters</th></tr>");
    for s in &run.stages {
        let outputs: Vec<String> = s
            .ports
            .iter()
            .map(|p| {
                let shape: Vec<String> = p.shape.iter().map(ToString::to_string).collect();
                format!("{} [{}]", p.name, shape.join(" × "))
            })
            .collect();
        let provenance = if s.reused {
            "reused from the store"
        } else {
            "computed in this run"
        };
        let parameters = serde_json::to_string_pretty(&s.parameters).unwrap_or_default();
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td><td>{provenance}</td><td><details><summary>show</summary><pre>{}</pre></details></td></tr>",
            escape(&s.stage),
            escape(&s.plugin),
            escape(&s.plugin_version),
            escape(&s.kind),
            escape(&outputs.join(", ")),
            escape(&parameters)
        );
    }
    out.push_str("</table></section>\n");
}

fn session(out: &mut String, run: &RunCatalog) {
    heading(out, 5);
    let fields: Option<serde_json::Map<String, serde_json::Value>> = run
        .session
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok());
    match fields {
        Some(fields) if !fields.is_empty() => {
            let rows: Vec<(&str, String)> = fields
                .iter()
                .map(|(k, v)| {
                    let text = match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.as_str(), escape(&text))
                })
                .collect();
            facts(out, &rows);
        }
        _ => out.push_str(
            "<p>The pipeline described no session (its <code>[session]</code> table).</p>",
        ),
    }
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_text_is_escaped() {
        assert_eq!(
            escape("<b>\"V1\" & 'LM'</b>"),
            "&lt;b&gt;&quot;V1&quot; &amp; &#39;LM&#39;&lt;/b&gt;"
        );
    }
}
