//! Strategy days: the days with a lesson, an offline event, a reward or a
//! sales push, read from a scenario's schedules.
//!
//! Charts mark them from the resolved scenario.toml of a results folder (so
//! `commsim plot` redraws them from the folder alone), and `commsim serve`
//! marks the same days on its live charts.

use crate::scenario::ScenarioFile;

/// What happens on a marked day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mark {
    Lesson,
    Event,
    Reward,
    Push,
}

impl Mark {
    /// The name used in legends and in `commsim serve`'s JSON.
    pub fn name(self) -> &'static str {
        match self {
            Mark::Lesson => "lesson",
            Mark::Event => "event",
            Mark::Reward => "reward",
            Mark::Push => "push",
        }
    }
}

/// Every (day, mark) of days 1 to `spec.days`, by day then mark, each pair
/// once.
pub fn strategy_days(spec: &ScenarioFile) -> Vec<(u32, Mark)> {
    let mut out = Vec::new();
    for d in 1..=spec.days {
        if spec.content.enabled && spec.content.schedule.contains(d) {
            out.push((d, Mark::Lesson));
        }
        if spec.events.iter().any(|e| e.schedule.contains(d)) {
            out.push((d, Mark::Event));
        }
        if spec.rewards.iter().any(|r| r.schedule.contains(d)) {
            out.push((d, Mark::Reward));
        }
        if spec
            .selling
            .as_ref()
            .is_some_and(|s| s.schedule.contains(d))
        {
            out.push((d, Mark::Push));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    #[test]
    fn default_scenario_marks_weekly_lessons_only() {
        let s = Scenario::builtin_default();
        let marks = strategy_days(s.spec());
        assert!(!marks.is_empty());
        assert!(marks.iter().all(|&(_, m)| m == Mark::Lesson));
        let days: Vec<u32> = marks.iter().map(|m| m.0).take(3).collect();
        let every = s.spec().content.schedule.every;
        let start = s.spec().content.schedule.start;
        assert_eq!(days, vec![start, start + every, start + 2 * every]);
    }

    #[test]
    fn offline_community_marks_its_meetups() {
        let s = Scenario::from_toml(
            include_str!("../../scenarios/offline-community.toml"),
            "o.toml".as_ref(),
            ".".as_ref(),
            "o",
        )
        .unwrap();
        let events: Vec<u32> = strategy_days(s.spec())
            .into_iter()
            .filter(|m| m.1 == Mark::Event)
            .map(|m| m.0)
            .collect();
        assert_eq!(events, vec![15, 45, 75]);
    }
}
