//! Monitor geometry: where each pixel lies in the visual field.
//!
//! The eye is at the origin and the screen is a plane at perpendicular distance d. A screen point
//! (y right, z up, cm from the foot of the perpendicular) has
//! azimuth = atan2(y, d) + az0 and altitude = atan2(z, √(d² + y²)) + alt0 (spherical), or
//! altitude = atan2(z, d) + alt0 without spherical correction, which makes a horizontal bar a
//! straight band on the screen that matches the corrected bar on the vertical line through the
//! foot. Lines of constant azimuth are vertical lines on a flat screen either way, so the
//! vertical (azimuth) bar is straight in both projections; only its checks differ.

use crate::params::{Axis, Params};

/// How screen points become altitudes (azimuth is the same for both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Projection {
    /// altitude = atan2(z, √(d² + y²)): the elevation of the point on a sphere around the eye.
    Spherical,
    /// altitude = atan2(z, d): the angle on the vertical line through the foot, applied to the whole row.
    Flat,
}

/// An angle in the visual field, degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VisualAngle {
    /// Horizontal angle (deg).
    pub azimuth: f64,
    /// Vertical angle (deg).
    pub altitude: f64,
}

/// Smallest and largest angle the screen covers along one axis (deg).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    /// Lowest angle on the screen.
    pub min: f64,
    /// Highest angle on the screen.
    pub max: f64,
}

/// The part of the visual field the whole screen covers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Field {
    /// Azimuth range.
    pub azimuth: Span,
    /// Altitude range.
    pub altitude: Span,
}

impl Field {
    /// The range along `axis`.
    pub fn along(&self, axis: Axis) -> Span {
        match axis {
            Axis::Azimuth => self.azimuth,
            Axis::Altitude => self.altitude,
        }
    }
}

/// A monitor in front of the eye.
#[derive(Debug, Clone, PartialEq)]
pub struct Monitor {
    /// Active-area width (cm).
    pub width_cm: f64,
    /// Active-area height (cm).
    pub height_cm: f64,
    /// Horizontal resolution (px).
    pub width_px: u32,
    /// Vertical resolution (px).
    pub height_px: u32,
    /// Perpendicular eye–screen distance d (cm).
    pub eye_distance_cm: f64,
    /// Foot of the perpendicular, cm right of the screen centre.
    pub foot_right_cm: f64,
    /// Foot of the perpendicular, cm above the screen centre.
    pub foot_up_cm: f64,
    /// Azimuth of the foot, az0 (deg).
    pub azimuth_deg: f64,
    /// Altitude of the foot, alt0 (deg).
    pub altitude_deg: f64,
    /// Spherical or flat altitude.
    pub projection: Projection,
}

impl Monitor {
    /// The monitor the parameters describe.
    pub fn from_params(p: &Params) -> Self {
        Monitor {
            width_cm: p.monitor_width_cm,
            height_cm: p.monitor_height_cm,
            width_px: p.width_px,
            height_px: p.height_px,
            eye_distance_cm: p.eye_distance_cm,
            foot_right_cm: p.foot_right_cm,
            foot_up_cm: p.foot_up_cm,
            azimuth_deg: p.monitor_azimuth_deg,
            altitude_deg: p.monitor_altitude_deg,
            projection: if p.spherical_correction {
                Projection::Spherical
            } else {
                Projection::Flat
            },
        }
    }

    /// Screen point (y right, z up; cm from the foot) of a display position given in pixel
    /// units from the screen's top-left corner: pixel (col c, row r) spans [c, c+1] × [r, r+1],
    /// so its centre is at (c + 0.5, r + 0.5).
    pub fn screen_point(&self, col: f64, row: f64) -> (f64, f64) {
        let (w_px, h_px) = (f64::from(self.width_px), f64::from(self.height_px));
        let y = (col - w_px / 2.0) * (self.width_cm / w_px) - self.foot_right_cm;
        let z = (h_px / 2.0 - row) * (self.height_cm / h_px) - self.foot_up_cm;
        (y, z)
    }

    /// Visual-field angle of the screen point (y, z) cm from the foot.
    pub fn angle_at(&self, y: f64, z: f64) -> VisualAngle {
        let d = self.eye_distance_cm;
        let altitude = match self.projection {
            Projection::Spherical => libm::atan2(z, libm::hypot(d, y)),
            Projection::Flat => libm::atan2(z, d),
        };
        VisualAngle {
            azimuth: libm::atan2(y, d).to_degrees() + self.azimuth_deg,
            altitude: altitude.to_degrees() + self.altitude_deg,
        }
    }

    /// Visual-field angle of the centre of display pixel (`col`, `row`).
    pub fn pixel_angle(&self, col: u32, row: u32) -> VisualAngle {
        let (y, z) = self.screen_point(f64::from(col) + 0.5, f64::from(row) + 0.5);
        self.angle_at(y, z)
    }

    /// The visual field the whole screen (to its outer edges) covers.
    ///
    /// Azimuth grows with y, so its extremes are the left and right edges. Altitude grows with z,
    /// so its extremes lie on the top and bottom edges; along an edge, spherical altitude is
    /// farthest from the horizon where |y| is smallest.
    pub fn field(&self) -> Field {
        let (left, top) = self.screen_point(0.0, 0.0);
        let (right, bottom) =
            self.screen_point(f64::from(self.width_px), f64::from(self.height_px));
        let nearest_zero = 0.0_f64.clamp(left, right);
        let farthest_from_zero = if left.abs() > right.abs() {
            left
        } else {
            right
        };
        let top_y = if top >= 0.0 {
            nearest_zero
        } else {
            farthest_from_zero
        };
        let bottom_y = if bottom <= 0.0 {
            nearest_zero
        } else {
            farthest_from_zero
        };
        Field {
            azimuth: Span {
                min: self.angle_at(left, 0.0).azimuth,
                max: self.angle_at(right, 0.0).azimuth,
            },
            altitude: Span {
                min: self.angle_at(bottom_y, bottom).altitude,
                max: self.angle_at(top_y, top).altitude,
            },
        }
    }
}

/// Where the stored pixels sample the screen, computed once at configure time.
///
/// Stored pixel (C, R) samples the display at the centre of its `downsample` × `downsample`
/// block, at screen point (`ys[C]`, `zs[R]`): `ys` increases with the column and `zs` decreases
/// with the row, so a band of y or z is a range of columns or rows.
#[derive(Debug, Clone)]
pub struct SampleGrid {
    /// The monitor sampled.
    pub monitor: Monitor,
    /// y (cm right of the foot) of each stored column.
    pub ys: Vec<f64>,
    /// z (cm above the foot) of each stored row.
    pub zs: Vec<f64>,
    /// First stored column at or right of the foot (y ≥ 0); `ys.len()` if the foot is right of the screen.
    pub foot_column: usize,
}

impl SampleGrid {
    /// Samples `monitor` every `downsample` display pixels (which must divide its resolution).
    pub fn new(monitor: &Monitor, downsample: u32) -> Self {
        let ds = f64::from(downsample);
        let centre = |i: u32| (f64::from(i) + 0.5) * ds;
        let ys: Vec<f64> = (0..monitor.width_px / downsample)
            .map(|c| monitor.screen_point(centre(c), 0.0).0)
            .collect();
        let zs = (0..monitor.height_px / downsample)
            .map(|r| monitor.screen_point(0.0, centre(r)).1)
            .collect();
        let foot_column = ys.partition_point(|&y| y < 0.0);
        SampleGrid {
            monitor: monitor.clone(),
            ys,
            zs,
            foot_column,
        }
    }

    /// Stored width (px).
    pub fn width(&self) -> usize {
        self.ys.len()
    }

    /// Stored height (px).
    pub fn height(&self) -> usize {
        self.zs.len()
    }

    /// Visual-field angle of stored pixel (`col`, `row`).
    pub fn angle(&self, col: usize, row: usize) -> VisualAngle {
        self.monitor.angle_at(self.ys[col], self.zs[row])
    }
}
