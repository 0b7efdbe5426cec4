//! `macroscope export nwb`: a finished run as an NWB 2.x file (Neurodata
//! Without Borders, the format DANDI and many journals take), written with
//! the `hdf5` crate directly and readable by pynwb with nothing extra.
//!
//! What goes where (docs/nwb.md has the full table):
//! - the root and `/general` (`file.rs`): the session's description, start
//!   (the run's `created`), experimenters, lab, institution, keywords, notes,
//!   the `Subject`, the pipeline text as `source_script`;
//! - each camera stage's movie as an `ImageSeries` in `/acquisition`, frames
//!   copied chunk for chunk without recompression, with its `Device`
//!   (`series.rs`);
//! - each stimulus stage's frames (as stored) and bar position under
//!   `/stimulus/presentation`, its sweeps as the `TimeIntervals` table
//!   `/intervals/sweeps` (`intervals.rs`);
//! - the maps as `GrayscaleImage`s in `/processing/retinotopy` (`images.rs`);
//! - the NWB schema itself under `/specifications` (`namespaces.rs`).
//!
//! Times are seconds on the stimulus clock (zero at the stimulus's first
//! frame), which the run's `created` time stands for as NWB's
//! `session_start_time`.

mod error;
mod file;
mod images;
mod intervals;
mod namespaces;
mod series;
mod typed;

use std::path::{Path, PathBuf};

use hdf5::file::{FileSpaceStrategy, LibraryVersion};
use hdf5::Group;

pub use error::NwbError;
pub use namespaces::NWB_VERSION;

use crate::session::Session;
use crate::store::{RunCatalog, StoredPort, StoredStage};

/// What an export wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    /// The NWB file.
    pub path: PathBuf,
    /// Camera frames written (all `ImageSeries` in `/acquisition`).
    pub frames: usize,
    /// Rows of `/intervals/sweeps` (and any other sweep table).
    pub sweeps: usize,
    /// `GrayscaleImage`s in `/processing/retinotopy`.
    pub images: usize,
}

/// The default output for `run`: the same name with `.nwb`.
pub fn default_output(run: &Path) -> PathBuf {
    run.with_extension("nwb")
}

/// The name an export is written under before it is renamed to `out`.
pub fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Exports the run file `run_path` as the NWB file `out`, which must not
/// exist: the file is written as `<out>.partial`, synced, then renamed to
/// `out` (never over a file). Nothing is left behind on failure.
pub fn export(run_path: &Path, out: &Path) -> Result<Exported, NwbError> {
    if out.exists() {
        return Err(NwbError::OutputExists(out.to_owned()));
    }
    let partial = partial_path(out);
    if partial.exists() {
        return Err(NwbError::PartialExists(partial));
    }
    let run = RunCatalog::open(run_path)?;
    let session = session_of(&run)?;
    let facts = file::RootFacts {
        identifier: typed::uuid4().map_err(|e| NwbError::hdf5(out, "making an identifier", e))?,
        session_description: session.description.clone().ok_or_else(|| {
            NwbError::MissingSessionField {
                run: run.path.clone(),
                nwb_field: "session_description",
                session_key: "description",
            }
        })?,
        session_start_time: nwb_time(&run.created).ok_or_else(|| NwbError::Unrepresentable {
            run: run.path.clone(),
            reason: format!(
                "the root attribute `created` (`{}`) is not an ISO 8601 time, and NWB needs the run's start as \
                 `session_start_time`",
                run.created
            ),
        })?,
        file_create_date: chrono::Utc::now()
            .format("%Y-%m-%dT%H:%M:%S%.6f+00:00")
            .to_string(),
    };
    let written = write(&run, &session, &facts, &partial);
    let finished = written.and_then(|exported| {
        crate::store::sync_file(&partial)?;
        crate::store::rename_new(&partial, out)?;
        Ok(exported)
    });
    if finished.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    Ok(Exported {
        path: out.to_owned(),
        ..finished?
    })
}

/// The run's `[session]`, or an empty one when it has none.
fn session_of(run: &RunCatalog) -> Result<Session, NwbError> {
    match &run.session {
        None => Ok(Session::default()),
        Some(json) => serde_json::from_str(json).map_err(|e| NwbError::BadSession {
            run: run.path.clone(),
            reason: e.to_string(),
        }),
    }
}

/// A run's UTC ISO 8601 time (`2026-03-04T05:06:07.123Z`) as pynwb writes
/// times (`2026-03-04T05:06:07.123000+00:00`).
fn nwb_time(created: &str) -> Option<String> {
    let time = chrono::DateTime::parse_from_rfc3339(created).ok()?;
    Some(
        time.to_utc()
            .format("%Y-%m-%dT%H:%M:%S%.6f+00:00")
            .to_string(),
    )
}

fn write(
    run: &RunCatalog,
    session: &Session,
    facts: &file::RootFacts,
    partial: &Path,
) -> Result<Exported, NwbError> {
    let h5 = |action: &str| {
        let action = action.to_owned();
        move |e: hdf5::Error| NwbError::hdf5(partial, action, e)
    };
    let nwb = hdf5::File::with_options()
        .with_fapl(|p| {
            p.libver_bounds(LibraryVersion::V110, LibraryVersion::V110)
                .page_buffer_size(PAGE_BUFFER_BYTES, 0, 0)
        })
        .with_fcpl(|p| {
            p.file_space_strategy(FileSpaceStrategy::FreeSpaceManager {
                paged: true,
                persist: false,
                threshold: 1,
            })
            .file_space_page_size(PAGE_BYTES)
        })
        .create_excl(partial)
        .map_err(h5("creating the file"))?;
    file::write_root(&nwb, facts).map_err(h5("writing the root"))?;
    namespaces::write(&nwb).map_err(h5("caching the NWB schema in /specifications"))?;
    file::write_general(&nwb, run, session).map_err(h5("writing /general"))?;
    let scale = session.um_per_pixel.map(|s| s.0);
    let frames = write_cameras(run, &nwb, scale)?;
    let sweeps = write_stimuli(run, &nwb)?;
    let mapped: Vec<&StoredStage> = run
        .stages
        .iter()
        .filter(|s| s.kind == "camera" || s.kind == "analysis")
        .collect();
    let processing = nwb.group("processing").map_err(h5("opening /processing"))?;
    let images = images::write(run, &processing, &mapped, scale.map(|um| 1e4 / um))
        .map_err(h5("writing the maps in /processing/retinotopy"))?;
    nwb.flush().map_err(h5("flushing"))?;
    Ok(Exported {
        path: partial.to_owned(),
        frames,
        sweeps,
        images,
    })
}

/// File-space page of the NWB file: the movie's chunks (a few kB each) are
/// copied one by one, and HDF5's page buffer gathers them into writes of
/// this size instead of one system call per chunk.
const PAGE_BYTES: u64 = 1 << 20;

/// The page buffer: a few pages.
const PAGE_BUFFER_BYTES: usize = 16 << 20;

/// A stream of frames [N, H, W].
fn movie_of(stage: &StoredStage) -> Option<&StoredPort> {
    stage.ports.iter().find(|p| p.stream && p.shape.len() == 3)
}

/// Each camera stage's movie as an `ImageSeries` in `/acquisition` named
/// after the stage, with a `Device` of the same name; frames written.
fn write_cameras(
    run: &RunCatalog,
    nwb: &hdf5::File,
    scale: Option<f64>,
) -> Result<usize, NwbError> {
    let mut frames = 0;
    for stage in run.stages_of_kind("camera") {
        let Some(movie) = movie_of(stage) else {
            continue;
        };
        let times = series::item_times(run, movie)?;
        let h5 = |e| {
            NwbError::hdf5(
                &run.path,
                format!("writing /acquisition/{}", stage.stage),
                e,
            )
        };
        let general = nwb.group("general").map_err(h5)?;
        let devices = match general.group("devices") {
            Ok(devices) => devices,
            Err(_) => general.create_group("devices").map_err(h5)?,
        };
        let device = typed::group(&devices, &stage.stage, typed::CORE, "Device").map_err(h5)?;
        typed::attr_text(
            &device,
            "description",
            &format!(
                "The camera of stage `{}`: plugin `{}`",
                stage.stage, stage.plugin
            ),
        )
        .map_err(h5)?;
        let scale_text = scale
            .map(|um| format!(", {um} µm of cortex per pixel"))
            .unwrap_or_default();
        let description = format!(
            "Camera movie recorded by stage `{}` (plugin `{}`): frames [time, height, width]{scale_text}",
            stage.stage, stage.plugin
        );
        let comments = source_comment(run, movie);
        let acquisition = nwb.group("acquisition").map_err(h5)?;
        series::image_series(
            run,
            &acquisition,
            &stage.stage,
            movie,
            &times,
            &series::SeriesText {
                description: &description,
                comments: &comments,
                unit: unit_or_na(movie),
            },
            Some(format!("/general/devices/{}", stage.stage).as_str()),
        )
        .map_err(h5)?;
        frames += movie.shape[0];
    }
    Ok(frames)
}

/// Each stimulus stage's frames as an `ImageSeries` and bar position as a
/// `TimeSeries` in `/stimulus/presentation`, and its sweeps as a
/// `TimeIntervals` table; sweep rows written.
fn write_stimuli(run: &RunCatalog, nwb: &hdf5::File) -> Result<usize, NwbError> {
    let mut rows = 0;
    for stage in run.stages_of_kind("stimulus") {
        let h5 = |e| {
            NwbError::hdf5(
                &run.path,
                format!("writing the stimulus of stage `{}`", stage.stage),
                e,
            )
        };
        let presentation = nwb.group("stimulus/presentation").map_err(h5)?;
        if let Some(movie) = movie_of(stage) {
            let times = series::item_times(run, movie)?;
            let description = format!(
                "Stimulus frames shown by stage `{}` (plugin `{}`), as stored in the run{}",
                stage.stage,
                stage.plugin,
                match movie.port_attributes["downsample"].as_u64() {
                    Some(n) if n > 1 => format!(" (downsampled {n}× from the display)"),
                    _ => String::new(),
                }
            );
            series::image_series(
                run,
                &presentation,
                &stage.stage,
                movie,
                &times,
                &series::SeriesText {
                    description: &description,
                    comments: &source_comment(run, movie),
                    unit: unit_or_na(movie),
                },
                None,
            )
            .map_err(h5)?;
        }
        let Some(schedule) = stage
            .ports
            .iter()
            .find(|p| p.stream && p.name == macroscope_schedule::port::NAME)
        else {
            continue;
        };
        rows += write_schedule(run, nwb, stage, schedule, rows == 0)?;
    }
    Ok(rows)
}

/// The schedule's bar position as a `TimeSeries` and its sweeps as a
/// `TimeIntervals` table (`sweeps` for the first stimulus, else
/// `<stage>_sweeps`); rows written.
fn write_schedule(
    run: &RunCatalog,
    nwb: &hdf5::File,
    stage: &StoredStage,
    schedule: &StoredPort,
    first: bool,
) -> Result<usize, NwbError> {
    use macroscope_schedule::columns::{BAR_CENTRE_DEG, DIRECTION, SWEEP};
    let h5 = |e| {
        NwbError::hdf5(
            &run.path,
            format!("reading or writing the schedule {}", schedule.path),
            e,
        )
    };
    let column = |name: &str| run.file.dataset(&schedule.column_path(name));
    let times = run
        .file
        .dataset(&schedule.path)
        .and_then(|d| d.read_raw::<f64>())
        .map_err(h5)?;
    if schedule.has_column(BAR_CENTRE_DEG.name) {
        let bar = column(BAR_CENTRE_DEG.name)
            .and_then(|d| d.read_raw::<f64>())
            .map_err(h5)?;
        let presentation: Group = nwb.group("stimulus/presentation").map_err(h5)?;
        series::time_series(
            &presentation,
            &format!("{}_bar_centre_deg", stage.stage),
            &bar,
            &times,
            &series::SeriesText {
                description: "Bar centre along the sweep's axis (azimuth for LR and RL, altitude for BT and TB) \
                              at each displayed frame; NaN in a baseline",
                comments: &source_comment(run, schedule),
                unit: "degrees",
            },
        )
        .map_err(h5)?;
    }
    if !(schedule.has_column(DIRECTION.name) && schedule.has_column(SWEEP.name)) {
        return Ok(0);
    }
    let directions = column(DIRECTION.name)
        .and_then(|d| d.read_raw::<i8>())
        .map_err(h5)?;
    let indices = column(SWEEP.name)
        .and_then(|d| d.read_raw::<i32>())
        .map_err(h5)?;
    let rate = schedule.port_attributes["display_rate_hz"]
        .as_f64()
        .unwrap_or(f64::NAN);
    let sweeps = intervals::sweeps(&times, &directions, &indices, rate).map_err(|reason| {
        NwbError::Unrepresentable {
            run: run.path.clone(),
            reason: format!("{}.{}: {reason}", schedule.path, DIRECTION.name),
        }
    })?;
    let intervals = match nwb.group("intervals") {
        Ok(group) => group,
        Err(_) => nwb.create_group("intervals").map_err(h5)?,
    };
    let name = if first {
        "sweeps".to_owned()
    } else {
        format!("{}_sweeps", stage.stage)
    };
    intervals::write(
        &intervals,
        &name,
        &format!(
            "One row per sweep of the bar shown by stimulus stage `{}`: start and stop (s, stimulus clock), \
             direction and index within its direction",
            stage.stage
        ),
        &sweeps,
    )
    .map_err(h5)?;
    Ok(sweeps.len())
}

/// Where a series came from: the run file and dataset.
fn source_comment(run: &RunCatalog, port: &StoredPort) -> String {
    format!(
        "Exported by macroscope {} from {} (run {}), dataset {}",
        crate::HOST_VERSION,
        run.path.display(),
        run.run_id,
        port.path
    )
}

/// A port's unit, or NWB's "not applicable".
fn unit_or_na(port: &StoredPort) -> &str {
    match port.unit.as_str() {
        "" => "n.a.",
        unit => unit,
    }
}
