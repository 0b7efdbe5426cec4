//! `movie-file`: a recording source for movies recorded elsewhere (another
//! rig, another acquisition program). It reads a multi-page grey TIFF or
//! BigTIFF, or a NumPy `.npy` array [frames, height, width] (u8 or u16), and
//! each frame's time (a CSV column, or a constant rate), shifts the times onto the stimulus clock, and emits the same
//! `frames` stream a live camera does — so the analysis, provenance and the
//! store treat the movie like any recording.
//!
//! It is not deterministic in the store's sense: its output depends on files
//! its parameters only name, so it is never reused from the store; the
//! SHA-256 of each file it read is stored with the frames instead.
#![deny(missing_docs)]

pub mod movie;
pub mod npy_movie;
pub mod params;
pub mod tiff_movie;
pub mod times;

use macroscope_plugin_api::{
    ColumnSpec, ElementType, Flow, InputPort, Outputs, Plugin, PluginError, PluginInfo, PluginKind,
    PortSpec, Scalar,
};
use sha2::{Digest, Sha256};

use movie::{Movie, MovieShape};
pub use params::Params;

/// The `movie-file` plugin.
pub struct MovieFile {
    movie: Movie,
    /// Frames emitted so far.
    emitted: u64,
    times: Vec<f64>,
    /// SHA-256 of the movie and of the times file (if any), hex.
    read: serde_json::Value,
}

/// The one output: the camera stream.
fn frames_port(shape: MovieShape) -> PortSpec {
    PortSpec::stream(
        "frames",
        shape.element,
        &[u64::from(shape.height), u64::from(shape.width)],
    )
    .with_unit("counts")
    .with_description("frames of a movie recorded elsewhere, in page order")
    .with_column(ColumnSpec::new(
        "frame_id",
        ElementType::U64,
        "",
        "page number in the movie file, from 0",
    ))
    .with_column(ColumnSpec::new(
        "timestamp_ns",
        ElementType::I64,
        "ns",
        "frame time on the stimulus clock (time_s rounded to ns)",
    ))
    .with_column(ColumnSpec::new(
        "time_s",
        ElementType::F64,
        "s",
        "frame time on the stimulus clock: the file's time plus clock_offset_s",
    ))
    .with_expected_items(shape.frames)
}

/// Hex SHA-256 of the file at `path`; an error blames parameter `field`.
fn sha256_of(path: &str, field: &str) -> Result<String, PluginError> {
    let mut file = std::fs::File::open(path)
        .map_err(|e| PluginError::parameter(field, format!("{path}: cannot open: {e}")))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)
        .map_err(|e| PluginError::parameter(field, format!("{path}: cannot read: {e}")))?;
    Ok(format!("{:x}", hasher.finalize()))
}

impl Plugin for MovieFile {
    type Params = Params;

    const INFO: PluginInfo = PluginInfo {
        name: "movie-file",
        version: env!("CARGO_PKG_VERSION"),
        // Not a camera: a file can wait for the disk, so its frames are never
        // dropped when the sink falls behind (the runtime drops only cameras').
        kind: PluginKind::OTHER,
        description: "Reads a movie recorded elsewhere (multi-page grey TIFF or BigTIFF, or NumPy .npy; \
                      u8 or u16) \
                      with each frame's time (a CSV column or a constant rate, plus a clock offset) \
                      and emits it as the camera stream a live camera gives. Stores the SHA-256 of \
                      every file it read.",
        authors: &["macroscope developers"],
        deterministic: false,
    };

    fn outputs(params: &Params, inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        if !inputs.is_empty() {
            return Err(PluginError::new(
                "movie-file takes no inputs: remove `inputs` from its stage",
            ));
        }
        let source = params.times_source()?;
        let shape = Movie::open(&params.movie)?.shape();
        times::frame_times(&source, shape.frames, params.clock_offset_s)?;
        Ok(vec![frames_port(shape)])
    }

    fn start(params: Params, _inputs: &[InputPort]) -> Result<Self, PluginError> {
        let source = params.times_source()?;
        let movie = Movie::open(&params.movie)?;
        let times = times::frame_times(&source, movie.shape().frames, params.clock_offset_s)?;
        let mut read = serde_json::json!({ "movie_sha256": sha256_of(&params.movie, "movie")? });
        if let Some(csv) = &params.times_csv {
            read["times_csv_sha256"] = sha256_of(csv, "times_csv")?.into();
        }
        Ok(MovieFile {
            movie,
            emitted: 0,
            times,
            read,
        })
    }

    fn started_attributes(&self) -> Vec<(usize, serde_json::Value)> {
        vec![(0, self.read.clone())]
    }

    fn poll(&mut self, out: &mut Outputs) -> Result<Flow, PluginError> {
        let frame_id = self.emitted;
        let Some(pixels) = self.movie.next_frame()? else {
            return Ok(Flow::Finished);
        };
        self.emitted += 1;
        let time_s = self.times[frame_id as usize];
        out.emit_array(
            0,
            pixels,
            &[
                Scalar::Int(frame_id as i64),
                Scalar::Int((time_s * 1e9).round() as i64),
                Scalar::Float(time_s),
            ],
        );
        Ok(Flow::Continue)
    }
}

macroscope_plugin_api::register_builtin!(MovieFile);

#[cfg(feature = "export")]
macroscope_plugin_api::export_plugins!(MovieFile);
