//! Which directions of the schedule the movie covered. A direction without
//! frames gives all-NaN maps, and an axis missing either of its directions
//! gives no retinotopic map, yet the stage succeeds: it warns instead.

use macroscope_schedule::{Axis, Direction};

/// The warning for a movie with no frames in some of the schedule's
/// `directions` (`frames[i]` frames fell in the sweeps of `directions[i]`);
/// `None` when every direction has frames.
pub fn coverage_warning(directions: &[Direction], frames: &[u64]) -> Option<String> {
    let (missing, covered): (Vec<_>, Vec<_>) = directions
        .iter()
        .zip(frames)
        .partition(|(_, &frames)| frames == 0);
    let names = |listed: &[(&Direction, &u64)]| {
        listed
            .iter()
            .map(|(d, _)| d.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if missing.is_empty() {
        return None;
    }
    if covered.is_empty() {
        return Some(format!(
            "the movie has no frames in any sweep of the schedule ({}): every map is NaN; \
             check that the movie and the schedule are of the same session",
            names(&missing)
        ));
    }
    let axes: Vec<&str> = Axis::ALL
        .into_iter()
        .filter(|&axis| missing.iter().any(|(d, _)| d.axis() == axis))
        .map(Axis::name)
        .collect();
    Some(format!(
        "the movie has no frames in the sweeps of {}, only in those of {}: their phase and \
         magnitude maps are NaN, and no {} map can be made (each axis needs both of its \
         opposite directions); record every direction of the schedule, or check that the \
         movie and the schedule are of the same session",
        names(&missing),
        names(&covered),
        axes.join(" or ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Direction; 4] = Direction::ALL;

    #[test]
    fn a_movie_covering_every_direction_gives_no_warning() {
        assert_eq!(coverage_warning(&ALL, &[10, 10, 12, 12]), None);
    }

    #[test]
    fn a_movie_covering_one_direction_names_the_others_and_both_axes() {
        assert_eq!(
            coverage_warning(&ALL, &[40, 0, 0, 0]).unwrap(),
            "the movie has no frames in the sweeps of RL, BT, TB, only in those of LR: their \
             phase and magnitude maps are NaN, and no azimuth or altitude map can be made (each \
             axis needs both of its opposite directions); record every direction of the \
             schedule, or check that the movie and the schedule are of the same session"
        );
    }

    #[test]
    fn a_movie_missing_one_axis_names_only_that_axis() {
        assert_eq!(
            coverage_warning(&ALL, &[40, 40, 0, 0]).unwrap(),
            "the movie has no frames in the sweeps of BT, TB, only in those of LR, RL: their \
             phase and magnitude maps are NaN, and no altitude map can be made (each axis needs \
             both of its opposite directions); record every direction of the schedule, or check \
             that the movie and the schedule are of the same session"
        );
    }

    #[test]
    fn a_movie_outside_every_sweep_says_every_map_is_nan() {
        assert_eq!(
            coverage_warning(&[Direction::LR, Direction::RL], &[0, 0]).unwrap(),
            "the movie has no frames in any sweep of the schedule (LR, RL): every map is NaN; \
             check that the movie and the schedule are of the same session"
        );
    }
}
