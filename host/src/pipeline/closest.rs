//! "Did you mean ...?": the known name nearest to a misspelt one.

/// The candidate closest to `wanted` by edit distance, if it is close enough
/// to be a likely typo (at most one edit per three characters, at least one).
pub(crate) fn closest<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (wanted.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(wanted, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn a_typo_finds_the_intended_name() {
        let names = ["drifting-bar", "fourier-maps", "retinotopy"];
        assert_eq!(closest("drifting-barr", names), Some("drifting-bar"));
        assert_eq!(closest("retinotpy", names), Some("retinotopy"));
    }

    #[test]
    fn an_unrelated_name_suggests_nothing() {
        assert_eq!(closest("webcam", ["drifting-bar", "fourier-maps"]), None);
    }
}
