//! Colour scales: Turbo for positions, red/blue for the visual field sign.

/// Google's Turbo colormap (Mikhailov 2019), polynomial approximation; `t` in 0..1.
pub fn turbo(t: f64) -> [u8; 3] {
    let t = t.clamp(0.0, 1.0);
    let poly = |c: [f64; 6]| {
        let v = c[0] + t * (c[1] + t * (c[2] + t * (c[3] + t * (c[4] + t * c[5]))));
        (v.clamp(0.0, 1.0) * 255.0).round() as u8
    };
    [
        poly([
            0.13572138,
            4.61539260,
            -42.66032258,
            132.13108234,
            -152.94239396,
            59.28637943,
        ]),
        poly([
            0.09140261,
            2.19418839,
            4.84296658,
            -14.18503333,
            4.27729857,
            2.82956604,
        ]),
        poly([
            0.10667330,
            12.64194608,
            -60.58204836,
            110.36276771,
            -89.90310912,
            27.34824973,
        ]),
    ]
}

/// Diverging blue (−1) → white (0) → red (+1); `v` clamped to −1..1.
pub fn red_blue(v: f64) -> [u8; 3] {
    const RED: [f64; 3] = [178.0, 24.0, 43.0];
    const BLUE: [f64; 3] = [33.0, 102.0, 172.0];
    let v = v.clamp(-1.0, 1.0);
    let end = if v >= 0.0 { RED } else { BLUE };
    let a = v.abs();
    let mix = |i: usize| (255.0 + (end[i] - 255.0) * a).round() as u8;
    [mix(0), mix(1), mix(2)]
}

/// Grey level of `t` in 0..1.
pub fn grey(t: f64) -> [u8; 3] {
    let g = (t.clamp(0.0, 1.0) * 255.0).round() as u8;
    [g, g, g]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turbo_runs_from_blue_to_red() {
        let low = turbo(0.1);
        let high = turbo(0.9);
        assert!(low[2] > low[0], "low end is blue: {low:?}");
        assert!(high[0] > high[2], "high end is red: {high:?}");
    }

    #[test]
    fn red_blue_is_white_at_zero_red_positive_blue_negative() {
        assert_eq!(red_blue(0.0), [255, 255, 255]);
        assert_eq!(red_blue(1.0), [178, 24, 43]);
        assert_eq!(red_blue(-1.0), [33, 102, 172]);
    }
}
