//! A multi-page grey TIFF or BigTIFF movie, read one page at a time.

use std::fs::File;
use std::io::BufReader;

use macroscope_plugin_api::{ArrayData, ElementType, PluginError};

use crate::movie::{movie_error, Frames, MovieShape};
use tiff::decoder::{Decoder, DecodingResult};
use tiff::ColorType;

/// The movie's pages in order.
pub struct TiffMovie {
    path: String,
    decoder: Decoder<BufReader<File>>,
    shape: MovieShape,
    next: u64,
}

impl TiffMovie {
    /// Opens the movie at `path` and reads the header of every page (not the
    /// pixels): every page must be grey u8 or u16 and of the first page's size.
    pub fn open(path: &str) -> Result<TiffMovie, PluginError> {
        let mut decoder = Self::decoder(path)?;
        let first = page_shape(path, &mut decoder, 0)?;
        let mut frames = 1;
        while decoder.more_images() {
            decoder
                .next_image()
                .map_err(|e| movie_error(path, format!("page {frames}: {e}")))?;
            let page = page_shape(path, &mut decoder, frames)?;
            if page != first {
                return Err(movie_error(
                    path,
                    format!(
                        "page {frames} is {} {}×{}, page 0 is {} {}×{}: every frame must be alike",
                        page.0, page.1, page.2, first.0, first.1, first.2
                    ),
                ));
            }
            frames += 1;
        }
        let shape = MovieShape {
            element: first.0,
            width: first.1,
            height: first.2,
            frames,
        };
        Ok(TiffMovie {
            path: path.to_owned(),
            decoder: Self::decoder(path)?,
            shape,
            next: 0,
        })
    }

    fn decoder(path: &str) -> Result<Decoder<BufReader<File>>, PluginError> {
        let file = File::open(path).map_err(|e| movie_error(path, format!("cannot open: {e}")))?;
        Decoder::new(BufReader::new(file))
            .map_err(|e| movie_error(path, format!("not a TIFF movie: {e}")))
    }
}

impl Frames for TiffMovie {
    fn shape(&self) -> MovieShape {
        self.shape
    }

    fn next_frame(&mut self) -> Result<Option<ArrayData>, PluginError> {
        if self.next == self.shape.frames {
            return Ok(None);
        }
        let page = self.next;
        let at = |e: tiff::TiffError| movie_error(&self.path, format!("page {page}: {e}"));
        if page > 0 {
            self.decoder.next_image().map_err(at)?;
        }
        let pixels = self.decoder.read_image().map_err(at)?;
        self.next += 1;
        match pixels {
            DecodingResult::U8(values) => Ok(Some(ArrayData::from_vec(values))),
            DecodingResult::U16(values) => Ok(Some(ArrayData::from_vec(values))),
            _ => Err(movie_error(
                &self.path,
                format!("page {page} is not u8 or u16"),
            )),
        }
    }
}

/// (element, width, height) of the current page.
fn page_shape(
    path: &str,
    decoder: &mut Decoder<BufReader<File>>,
    page: u64,
) -> Result<(ElementType, u32, u32), PluginError> {
    let at = |e: tiff::TiffError| movie_error(path, format!("page {page}: {e}"));
    let element = match decoder.colortype().map_err(at)? {
        ColorType::Gray(8) => ElementType::U8,
        ColorType::Gray(16) => ElementType::U16,
        other => {
            return Err(movie_error(
                path,
                format!("page {page} is {other:?}: movie-file reads grey pages of 8 or 16 bits"),
            ))
        }
    };
    let (width, height) = decoder.dimensions().map_err(at)?;
    Ok((element, width, height))
}
