//! The two ways to name a stage input: `stage.port`, or `file:PATH#/dataset`
//! for recorded data (PATH relative to the pipeline file's directory).

use macroscope_plugin_api::is_port_name;

use crate::stage_id::is_stage_id;

/// An input reference as written, split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InputRef {
    /// Output `port` of stage `stage`.
    Stage {
        /// The upstream stage id.
        stage: String,
        /// Its output port.
        port: String,
    },
    /// Dataset `dataset` (starting with `/`) of the HDF5 file `path`.
    File {
        /// The path as written.
        path: String,
        /// The dataset path inside the file.
        dataset: String,
    },
}

impl InputRef {
    /// Splits a reference; `None` if it has neither form.
    pub(crate) fn parse(text: &str) -> Option<InputRef> {
        if let Some(rest) = text.strip_prefix("file:") {
            let (path, dataset) = rest.rsplit_once('#')?;
            let well_formed = !path.is_empty() && dataset.len() > 1 && dataset.starts_with('/');
            return well_formed.then(|| InputRef::File {
                path: path.to_owned(),
                dataset: dataset.to_owned(),
            });
        }
        let (stage, port) = text.split_once('.')?;
        let well_formed = is_stage_id(stage) && is_port_name(port);
        well_formed.then(|| InputRef::Stage {
            stage: stage.to_owned(),
            port: port.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_dot_port_names_an_upstream_output() {
        assert_eq!(
            InputRef::parse("stimulus.schedule"),
            Some(InputRef::Stage {
                stage: "stimulus".into(),
                port: "schedule".into()
            })
        );
    }

    #[test]
    fn file_reference_splits_at_the_last_hash() {
        assert_eq!(
            InputRef::parse("file:data/run#1.h5#/analysis/maps/azimuth_deg"),
            Some(InputRef::File {
                path: "data/run#1.h5".into(),
                dataset: "/analysis/maps/azimuth_deg".into()
            })
        );
    }

    #[test]
    fn references_of_neither_form_are_refused() {
        for bad in [
            "stimulus",
            "stimulus.",
            ".schedule",
            "a.b.c",
            "file:x.h5",
            "file:x.h5#dataset",
            "file:#/d",
            "file:x.h5#/",
        ] {
            assert_eq!(InputRef::parse(bad), None, "{bad}");
        }
    }
}
