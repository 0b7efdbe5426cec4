//! A one-screen text summary of a checked pipeline: its stages in run order with
//! plugin, version and origin, every output port, and every connection.

use std::fmt::Write;

use super::{InputSource, Pipeline};
use crate::registry::Origin;

impl Pipeline {
    /// The DAG as `macroscope validate` prints it.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let connections: usize = self.stages.iter().map(|s| s.inputs.len()).sum();
        let _ = writeln!(
            out,
            "pipeline `{}` ({}) is valid: {} {}, {} {}",
            self.name,
            self.file.display(),
            self.stages.len(),
            plural(self.stages.len(), "stage", "stages"),
            connections,
            plural(connections, "connection", "connections"),
        );
        let _ = writeln!(out, "  output: {}", self.output.display());
        if let Some(store) = &self.store {
            let _ = writeln!(out, "  store:  {}", store.display());
        }
        let _ = writeln!(out, "  {}", self.estimate().describe());
        let ports = || self.stages.iter().flat_map(|s| s.outputs.iter());
        let name_width = ports().map(|p| p.name.len()).max().unwrap_or(0);
        let shape_width = ports()
            .map(|p| shape_text(&p.shape).len())
            .max()
            .unwrap_or(0);
        // "    name  kind     type  shape": where the column counts start
        let port_width = 4 + name_width + 2 + 7 + 2 + 3 + 2 + shape_width;
        let _ = writeln!(out, "\nstages, in run order:");
        for stage in &self.stages {
            let plugin = &stage.plugin.handle;
            let origin = match &stage.plugin.origin {
                Origin::Builtin => "builtin".to_owned(),
                Origin::Library { path, .. } => path.display().to_string(),
            };
            let _ = writeln!(
                out,
                "  {}: {} {} ({}, {})",
                stage.id,
                plugin.name(),
                plugin.version(),
                plugin.kind(),
                origin
            );
            for port in &stage.outputs {
                let mut line = format!(
                    "    {:<name_width$}  {:<7}  {:<3}  {}",
                    port.name.as_str(),
                    port.kind.as_str(),
                    port.element.as_str(),
                    shape_text(&port.shape),
                );
                if !port.columns.is_empty() {
                    let n = port.columns.len();
                    line = format!(
                        "{line:<port_width$}  +{n} {}",
                        plural(n, "column", "columns")
                    );
                }
                let _ = writeln!(out, "{line}");
            }
        }
        if connections > 0 {
            let _ = writeln!(out, "\nconnections:");
            for stage in &self.stages {
                for input in &stage.inputs {
                    let from = match &input.source {
                        InputSource::Stage {
                            stage: upstream,
                            port,
                        } => {
                            let upstream = &self.stages[*upstream];
                            format!("{}.{}", upstream.id, upstream.outputs[*port].name)
                        }
                        InputSource::File { .. } => input.port.source.to_string(),
                    };
                    let _ = writeln!(out, "  {from} -> {}", stage.id);
                }
            }
        }
        out
    }
}

/// `[4, 60, 80]`
fn shape_text(shape: &[u64]) -> String {
    let dims: Vec<String> = shape.iter().map(u64::to_string).collect();
    format!("[{}]", dims.join(", "))
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}
