//! Hemodynamic delay removal from two opposite directions (Kalatsky & Stryker 2003,
//! in the SNLC form of Juavinett et al. 2017).
//!
//! With φf, φr the phases of the forward (LR, BT) and reverse (RL, TB) directions:
//! - delay δ = angle(e^{iφf} + e^{iφr}), forced into (0, π] by δ ← δ + π when δ ≤ 0
//!   (the published δ + (π/2)(1 − sign δ), which only differs at δ = 0 exactly,
//!   where it would give π/2; we keep the interval's end π);
//! - position phase θ = ½·[angle(e^{i(φf − δ)}) − angle(e^{i(φr − δ)})].
//!
//! With `fourier-maps`' phase-lag convention and a reflectance dip of delay d at
//! sweep frequency ω, a pixel crossed by the forward bar a fraction u of the way
//! through the sweep has φf = 2πu + ωd + π and φr = 2π(1 − u) + ωd + π, so
//! δ = ωd and θ = 2πu − π: θ runs from −π to π over the sweep, without a wrap.

use std::f64::consts::PI;

/// angle(e^{ix}): `x` wrapped into [−π, π].
pub fn wrap(x: f64) -> f64 {
    libm::atan2(libm::sin(x), libm::cos(x))
}

/// The delay δ ∈ (0, π] of a pixel from its forward and reverse phases.
pub fn hemodynamic_delay(phase_forward: f64, phase_reverse: f64) -> f64 {
    let delay = libm::atan2(
        libm::sin(phase_forward) + libm::sin(phase_reverse),
        libm::cos(phase_forward) + libm::cos(phase_reverse),
    );
    if delay <= 0.0 {
        delay + PI
    } else {
        delay
    }
}

/// The delay-free position phase θ of a pixel.
pub fn position_phase(phase_forward: f64, phase_reverse: f64, delay: f64) -> f64 {
    0.5 * (wrap(phase_forward - delay) - wrap(phase_reverse - delay))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::TAU;

    #[test]
    fn nearby_phases_give_their_mean_as_delay_and_half_their_difference_as_position() {
        // e^{i} + e^{0.5i} points at 0.75; θ = ½[angle(e^{0.25i}) − angle(e^{−0.25i})] = 0.25.
        let delay = hemodynamic_delay(1.0, 0.5);
        assert!((delay - 0.75).abs() < 1e-15);
        assert!((position_phase(1.0, 0.5, delay) - 0.25).abs() < 1e-15);
    }

    #[test]
    fn a_negative_delay_is_moved_up_by_pi() {
        // e^{−i} + e^{−0.4i} points at −0.7, forced to π − 0.7.
        assert!((hemodynamic_delay(-1.0, -0.4) - (PI - 0.7)).abs() < 1e-15);
    }

    #[test]
    fn phases_on_both_sides_of_the_cut_average_across_it() {
        // 3.0 and −3.0 (= 3.283): the sum points at π, which is inside (0, π].
        assert!((hemodynamic_delay(3.0, -3.0) - PI).abs() < 1e-15);
        // θ = ½[angle(e^{i(3 − π)}) − angle(e^{i(−3 − π)})] = ½[(3 − π) − (π − 3)] = 3 − π.
        assert!((position_phase(3.0, -3.0, PI) - (3.0 - PI)).abs() < 1e-15);
    }

    #[test]
    fn a_dip_with_known_delay_and_position_is_recovered_everywhere_in_the_sweep() {
        for delay in [0.05, 0.4, 1.0, 2.2, PI - 0.05] {
            for step in 1..50 {
                let u = step as f64 / 50.0;
                let forward = wrap(TAU * u + delay + PI);
                let reverse = wrap(TAU * (1.0 - u) + delay + PI);
                let found = hemodynamic_delay(forward, reverse);
                assert!(
                    (found - delay).abs() < 1e-12,
                    "u {u}, delay {delay}: found {found}"
                );
                let theta = position_phase(forward, reverse, found);
                assert!(
                    (theta - (TAU * u - PI)).abs() < 1e-12,
                    "u {u}, delay {delay}: θ {theta}"
                );
            }
        }
    }
}
