//! Reading back what a run wrote (docs/FORMAT.md): string attributes, and the
//! groups the layout names by run id or by store key.

/// The string attribute `name` of a file, group or dataset.
pub fn text_attr(location: &hdf5::Location, name: &str) -> String {
    location
        .attr(name)
        .unwrap_or_else(|e| panic!("attribute {name} of {}: {e}", location.name()))
        .read_scalar::<hdf5::types::VarLenUnicode>()
        .unwrap()
        .to_string()
}

/// The run's id (root attribute `run_id`).
pub fn run_id(file: &hdf5::File) -> String {
    text_attr(file, "run_id")
}

/// How the run ended (root attribute `status`): `complete`, `failed` or `interrupted`.
pub fn status(file: &hdf5::File) -> String {
    text_attr(file, "status")
}

/// The group of stage `stage` under `/ROOT/<run id>/`, where a run files what
/// it acquired (`acquisitions`) and analysed (`analysis`).
pub fn stage_group(file: &hdf5::File, root: &str, stage: &str) -> hdf5::Group {
    let path = format!("/{root}/{}/{stage}", run_id(file));
    file.group(&path)
        .unwrap_or_else(|e| panic!("group {path}: {e}"))
}

/// The store key of the run's stimulus: stimuli are filed by it, as the one
/// group under `/stimuli` in the tests' runs.
pub fn stimulus_key(file: &hdf5::File) -> String {
    file.group("/stimuli")
        .unwrap()
        .member_names()
        .unwrap()
        .remove(0)
}

/// Every value of dataset `name` (a path relative to `group`, or absolute),
/// in row-major order.
pub fn dataset_values<T: hdf5::H5Type>(group: &hdf5::Group, name: &str) -> Vec<T> {
    group
        .dataset(name)
        .unwrap_or_else(|e| panic!("dataset {name} in {}: {e}", group.name()))
        .read_raw::<T>()
        .unwrap()
}

/// The `content_sha256` of every dataset of the run file at `path`, by its
/// path with the run id written `RUN`: what two runs of the same pipeline
/// must agree on, whatever their ids.
pub fn content_hashes(path: &std::path::Path) -> std::collections::BTreeMap<String, String> {
    fn walk(group: &hdf5::Group, run: &str, out: &mut std::collections::BTreeMap<String, String>) {
        for name in group.member_names().unwrap() {
            if let Ok(child) = group.group(&name) {
                walk(&child, run, out);
            } else if let Ok(dataset) = group.dataset(&name) {
                if dataset.attr("content_sha256").is_ok() {
                    out.insert(
                        dataset.name().replace(run, "RUN"),
                        text_attr(&dataset, "content_sha256"),
                    );
                }
            }
        }
    }
    let file = hdf5::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = std::collections::BTreeMap::new();
    walk(&file, &run_id(&file), &mut out);
    out
}
