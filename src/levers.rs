//! The operator's levers as scenario edits (issue 10).
//!
//! [`variants`] lists, for a scenario, one [`Variant`] per lever: each lever
//! the scenario does not use, **added** with the defaults below, and each
//! lever it uses, **strengthened**. A variant is applied with
//! [`Variant::apply`], which makes the edit, puts the lever first in
//! `operator.priority` (the operator chooses to pay for it first) and gives
//! the scenario an [`Allowance`]: the same money and hours as the original
//! ([`Allowance::equal_to`]), so that variants are compared at equal spend.
//! `commsim explain` ranks them ("What would have saved it"); an optimiser
//! can search over them.
//!
//! | lever | added | strengthened |
//! |---|---|---|
//! | `content` | weekly lessons from day 1 | lessons twice as often (every day already: better lessons) |
//! | `event` | one meetup (event defaults) on day 30, or mid-run when shorter | a second meetup like the first, 30 days after the last (or twice the seats) |
//! | `service` | an answering service (defaults) | answers more (half the way to all) and twice as fast |
//! | `rituals` | welcome and daily check-ins (defaults) | welcome on, check-ins on, check-in rate half the way to 1 |
//! | `moderation` | moderation (defaults) | ads removed the same day |
//! | `fee` | a fee (defaults) | a stricter application screen (threshold + 0.2) |
//! | `kol` | 3 paid KOLs (defaults) | twice as many KOLs |
//! | `referral-reward` | a referral reward (defaults) | twice the amount |
//! | `guests` | a weekly guest talk (defaults) | talks twice as often |
//! | `reward` | — | twice the budget |
//! | `channel` | — | twice the reach of every channel |
//! | `giveaway` | — | twice the reach |
//!
//! Rewards, channels and giveaways are only strengthened: adding one needs
//! choices (a budget, an audience) that have no neutral default. Selling is
//! not varied: a push spends members' trust and patience (MODEL.md §9, S10),
//! it is not a way to keep them. A variant whose edit leaves the scenario
//! unchanged (moderation that already removes ads the same day) is left out.

use crate::scenario::{
    Event, Fee, Guests, Kol, Lever, Moderation, ReferralReward, Rituals, ScenarioFile, Schedule,
    Service,
};

/// An edit of a scenario file.
pub type Edit = fn(&mut ScenarioFile);

/// Hours a week a variant gets at least when the original's hours are
/// unlimited (enough for a weekly lesson).
pub const HOURS_FLOOR: f64 = 2.0;

/// Whether a variant adds a lever or strengthens one already used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Added,
    Strengthened,
}

impl Change {
    pub fn name(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Strengthened => "strengthened",
        }
    }
}

/// One operator lever as an edit of a scenario.
#[derive(Debug, Clone)]
pub struct Variant {
    /// The lever as the operator's budget sees it; `None` for the fee, which
    /// earns money rather than spending it.
    pub lever: Option<Lever>,
    /// The lever's name as in outputs: `Lever::name`, or `fee`.
    pub name: &'static str,
    pub change: Change,
    /// What is done, in words ("add weekly lessons").
    pub label: String,
    /// The edit (without the purse and priority, which `apply` sets).
    pub edit: Edit,
}

/// Money and hours a variant gets, and where they come from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Allowance {
    /// `operator.funds` of every variant.
    pub funds: f64,
    /// `operator.hours_per_week` of every variant.
    pub hours_per_week: f64,
    /// The original's funds were unlimited: `funds` is its mean spend.
    pub funds_from_spend: bool,
    /// The original's hours were unlimited: `hours_per_week` is its mean
    /// use (at least [`HOURS_FLOOR`]).
    pub hours_from_use: bool,
}

impl Allowance {
    /// The original's purse where it is finite, else what the original used
    /// on average: `money_spent` per run and `hours_per_week` per week.
    pub fn equal_to(s: &ScenarioFile, money_spent: f64, hours_per_week: f64) -> Allowance {
        let o = &s.operator;
        Allowance {
            funds: if o.funds.is_finite() {
                o.funds
            } else {
                money_spent.max(0.0)
            },
            hours_per_week: if o.hours_per_week.is_finite() {
                o.hours_per_week
            } else {
                hours_per_week.max(HOURS_FLOOR)
            },
            funds_from_spend: !o.funds.is_finite(),
            hours_from_use: !o.hours_per_week.is_finite(),
        }
    }
}

/// Weeks that start within a run of `days` days (weeks start on days 1, 8,
/// 15, …; launch day 0 belongs to the first): hours per week = hours used ÷
/// this.
pub fn weeks(days: u32) -> f64 {
    days.div_ceil(7).max(1) as f64
}

impl Variant {
    /// The variant of `s`: the edit, the lever first in priority, the purse.
    pub fn apply(&self, s: &mut ScenarioFile, purse: &Allowance) {
        (self.edit)(s);
        if let Some(l) = self.lever {
            let mut order = s.operator.order();
            order.retain(|&x| x != l);
            order.insert(0, l);
            s.operator.priority = order;
        }
        s.operator.funds = purse.funds;
        s.operator.hours_per_week = purse.hours_per_week;
    }
}

struct Entry {
    lever: Option<Lever>,
    name: &'static str,
    uses: fn(&ScenarioFile) -> bool,
    add: Option<(&'static str, Edit)>,
    strengthen: (&'static str, Edit),
}

/// Halves the gap between the days of a schedule (a day list gets a day
/// halfway to the next one, and after the last one).
fn twice_as_often(s: &mut Schedule) {
    if s.days.is_empty() {
        s.every = (s.every / 2).max(1);
        return;
    }
    let mut days = s.days.clone();
    for (i, &d) in s.days.iter().enumerate() {
        let gap = match s.days.get(i + 1) {
            Some(&n) => n - d,
            None if i > 0 => d - s.days[i - 1],
            None => 7,
        };
        if gap >= 2 {
            days.push(d + gap / 2);
        }
    }
    days.sort_unstable();
    days.dedup();
    s.days = days;
}

fn event_days(f: &ScenarioFile) -> Vec<u32> {
    (0..=f.days)
        .filter(|&d| f.events.iter().any(|e| e.schedule.contains(d)))
        .collect()
}

fn meetup_on(day: u32, like: Event) -> Event {
    let mut schedule = Schedule::default();
    schedule.days = vec![day];
    Event { schedule, ..like }
}

fn table() -> Vec<Entry> {
    vec![
        Entry {
            lever: Some(Lever::Content),
            name: "content",
            uses: |f| f.content.enabled,
            add: Some(("add weekly lessons", |f| {
                f.content.enabled = true;
                f.content.schedule = Schedule::every(1, 7);
            })),
            strengthen: ("give lessons twice as often", |f| {
                let before = f.content.schedule.clone();
                twice_as_often(&mut f.content.schedule);
                if f.content.schedule == before {
                    f.content.quality = (1.0 + f.content.quality) / 2.0;
                }
            }),
        },
        Entry {
            lever: Some(Lever::Event),
            name: "event",
            uses: |f| !f.events.is_empty(),
            add: Some(("hold a meetup around day 30", |f| {
                let day = 30.min(f.days / 2).max(1);
                f.events.push(meetup_on(day, Event::default()));
            })),
            strengthen: ("hold a second meetup", |f| {
                let days = event_days(f);
                match days.last() {
                    Some(&last) if last + 30 <= f.days => {
                        f.events.push(meetup_on(last + 30, f.events[0].clone()));
                    }
                    _ => f.events.iter_mut().for_each(|e| e.capacity *= 2),
                }
            }),
        },
        Entry {
            lever: Some(Lever::Service),
            name: "service",
            uses: |f| f.service.is_some(),
            add: Some(("add an answering service", |f| {
                f.service = Some(Service::default())
            })),
            strengthen: ("answer more questions, twice as fast", |f| {
                if let Some(v) = &mut f.service {
                    v.answer = (1.0 + v.answer) / 2.0;
                    v.response_hours /= 2.0;
                }
            }),
        },
        Entry {
            lever: Some(Lever::Rituals),
            name: "rituals",
            uses: |f| f.rituals.is_some(),
            add: Some(("add a welcome and daily check-ins", |f| {
                f.rituals = Some(Rituals::default())
            })),
            strengthen: ("welcome everyone and check in more", |f| {
                if let Some(r) = &mut f.rituals {
                    r.welcome = true;
                    r.checkins = true;
                    r.checkin_rate = (1.0 + r.checkin_rate) / 2.0;
                }
            }),
        },
        Entry {
            lever: Some(Lever::Moderation),
            name: "moderation",
            uses: |f| f.moderation.is_some(),
            add: Some(("add moderation", |f| {
                f.moderation = Some(Moderation::default())
            })),
            strengthen: ("remove ads the same day", |f| {
                if let Some(m) = &mut f.moderation {
                    m.ad_delay = 0;
                }
            }),
        },
        Entry {
            lever: None,
            name: "fee",
            uses: |f| f.fee.is_some(),
            add: Some(("charge a membership fee", |f| f.fee = Some(Fee::default()))),
            strengthen: ("screen applicants more strictly", |f| {
                if let Some(x) = &mut f.fee {
                    x.threshold = (x.threshold + 0.2).min(0.95).max(x.threshold);
                }
            }),
        },
        Entry {
            lever: Some(Lever::Kol),
            name: "kol",
            uses: |f| f.kol.is_some(),
            add: Some(("pay 3 KOLs", |f| f.kol = Some(Kol::default()))),
            strengthen: ("pay twice as many KOLs", |f| {
                if let Some(k) = &mut f.kol {
                    k.count = (k.count * 2).min(1_000_000);
                }
            }),
        },
        Entry {
            lever: Some(Lever::ReferralReward),
            name: "referral-reward",
            uses: |f| f.referral_reward.is_some(),
            add: Some(("reward referrals", |f| {
                f.referral_reward = Some(ReferralReward::default())
            })),
            strengthen: ("double the referral reward", |f| {
                if let Some(r) = &mut f.referral_reward {
                    r.amount *= 2.0;
                }
            }),
        },
        Entry {
            lever: Some(Lever::Guests),
            name: "guests",
            uses: |f| f.guests.is_some(),
            add: Some(("invite a guest speaker weekly", |f| {
                f.guests = Some(Guests::default())
            })),
            strengthen: ("invite guest speakers twice as often", |f| {
                if let Some(g) = &mut f.guests {
                    twice_as_often(&mut g.schedule);
                }
            }),
        },
        Entry {
            lever: Some(Lever::Reward),
            name: "reward",
            uses: |f| !f.rewards.is_empty(),
            add: None,
            strengthen: ("double the rewards", |f| {
                f.rewards.iter_mut().for_each(|r| r.budget *= 2.0)
            }),
        },
        Entry {
            lever: Some(Lever::Channel),
            name: "channel",
            uses: |f| !f.channels.is_empty(),
            add: None,
            strengthen: ("recruit twice as many through the channels", |f| {
                for c in &mut f.channels {
                    c.daily *= 2.0;
                    c.rate = (c.rate * 2.0).min(1.0);
                }
            }),
        },
        Entry {
            lever: Some(Lever::Giveaway),
            name: "giveaway",
            uses: |f| !f.giveaways.is_empty(),
            add: None,
            strengthen: ("advertise the giveaway twice as widely", |f| {
                f.giveaways.iter_mut().for_each(|g| g.reach *= 2.0)
            }),
        },
    ]
}

/// The variants of `s`, in the order of the table in the module doc.
pub fn variants(s: &ScenarioFile) -> Vec<Variant> {
    let mut out = Vec::new();
    for e in table() {
        let (change, (label, edit)) = if (e.uses)(s) {
            (Change::Strengthened, e.strengthen)
        } else if let Some(add) = e.add {
            (Change::Added, add)
        } else {
            continue;
        };
        let mut t = s.clone();
        edit(&mut t);
        if t == *s {
            continue;
        }
        out.push(Variant {
            lever: e.lever,
            name: e.name,
            change,
            label: label.to_string(),
            edit,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unused_lever_is_added_and_a_used_one_strengthened() {
        let mut s = ScenarioFile::default();
        s.content.enabled = false;
        s.service = Some(Service::default());
        let v = variants(&s);
        let find = |n: &str| v.iter().find(|x| x.name == n).unwrap();
        assert_eq!(find("content").change, Change::Added);
        assert_eq!(find("service").change, Change::Strengthened);
        assert!(
            v.iter().all(|x| x.name != "reward"),
            "no reward to strengthen"
        );
        let mut t = s.clone();
        let purse = Allowance::equal_to(&s, 120.0, 0.5);
        find("content").apply(&mut t, &purse);
        assert!(t.content.enabled);
        assert_eq!(t.operator.priority[0], Lever::Content);
        assert_eq!(t.operator.priority.len(), Lever::ALL.len());
        assert_eq!(t.operator.funds, 120.0);
        assert_eq!(t.operator.hours_per_week, HOURS_FLOOR);
    }

    #[test]
    fn a_finite_purse_is_kept_and_every_variant_checks() {
        let mut s = ScenarioFile {
            name: "purse".into(),
            ..ScenarioFile::default()
        };
        s.operator.funds = 500.0;
        s.operator.hours_per_week = 4.0;
        let p = Allowance::equal_to(&s, 9999.0, 99.0);
        assert_eq!((p.funds, p.hours_per_week), (500.0, 4.0));
        assert!(!p.funds_from_spend && !p.hours_from_use);
        for v in variants(&s) {
            let mut t = s.clone();
            v.apply(&mut t, &p);
            crate::scenario::check(&t).unwrap_or_else(|e| panic!("{}: {e}", v.label));
        }
    }

    #[test]
    fn twice_as_often_halves_the_gaps() {
        let mut s = Schedule::every(1, 7);
        twice_as_often(&mut s);
        assert_eq!(s.every, 3);
        let mut d = Schedule::default();
        d.days = vec![10, 20];
        twice_as_often(&mut d);
        assert_eq!(d.days, vec![10, 15, 20, 25]);
    }
}
