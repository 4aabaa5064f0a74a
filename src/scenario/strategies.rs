//! Operator strategies (DOMAIN.md S1–S13) as scenario sections.
//!
//! Each strategy is optional: a section that is absent is switched off. Every
//! strategy has a schedule and a cost, and acts only on members' state
//! (interest, trust, needs, willingness to invite, leave hazards); MODEL.md
//! §9 states each rule. The checks here follow the same conventions as the
//! rest of the scenario: messages name the field and the allowed range.

use serde::{Deserialize, Serialize};

use super::{check_schedule, Checker, Schedule};

/// S2: a reward handed out on a schedule, fixed (everyone gets a share) or a
/// lottery (a few win, same expected cost).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Reward {
    pub schedule: Schedule,
    pub kind: RewardKind,
    /// Money spent per reward day.
    pub budget: f64,
    /// Lottery: number of winners per reward day.
    pub winners: u32,
    /// Money value that gives half the maximum response.
    pub reference: f64,
    /// Largest interest gain a reward can give.
    pub interest_gain: f64,
    /// Largest trust gain (goodwill) a reward can give.
    pub trust_gain: f64,
}

impl Default for Reward {
    fn default() -> Self {
        Reward {
            schedule: Schedule::every(7, 7),
            kind: RewardKind::Fixed,
            budget: 100.0,
            winners: 2,
            reference: 10.0,
            interest_gain: 0.3,
            trust_gain: 0.1,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum RewardKind {
    Fixed,
    Lottery,
}

/// S2, R5: a giveaway advertised on a schedule: it reaches outsiders like a
/// channel and lures them with a gift whatever their needs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Giveaway {
    pub schedule: Schedule,
    /// Outsiders reached per giveaway day.
    pub reach: f64,
    /// Probability that a reached outsider with no need joins for the gift
    /// (scaled by 1 − need).
    pub appeal: f64,
    /// Money per gift (paid when the gift is delivered).
    pub gift_cost: f64,
    /// Days after joining when the gift is delivered.
    pub deliver_after: u32,
    /// Initial trust of people who join for the gift.
    pub trust: f64,
    /// Expectation the giveaway's pitch sets about the group (M3).
    pub promise: f64,
}

impl Default for Giveaway {
    fn default() -> Self {
        Giveaway {
            schedule: Schedule {
                end: Some(3),
                ..Schedule::every(1, 1)
            },
            reach: 300.0,
            appeal: 0.8,
            gift_cost: 5.0,
            deliver_after: 3,
            trust: 0.3,
            promise: 0.3,
        }
    }
}

/// S3: a reward per successful invitation ("benefit lure"). Its size
/// works through a saturating response a/(a + reference), as rewards do (S2).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ReferralReward {
    pub schedule: Schedule,
    /// Money paid per person who joins by invitation.
    pub amount: f64,
    /// Money per join that gives half the largest response.
    pub reference: f64,
    /// Largest relative rise of members' daily invitation probability: at
    /// response r the probability is multiplied by 1 + invite_gain · r.
    pub invite_gain: f64,
    /// Largest share of an invitee's decision the reward takes over from
    /// need: acceptance need matching becomes invite.need_match · (1 − lure · r).
    /// Lured invitees need the group less.
    pub lure: f64,
}

impl Default for ReferralReward {
    fn default() -> Self {
        ReferralReward {
            schedule: Schedule::every(1, 1),
            amount: 5.0,
            reference: 10.0,
            invite_gain: 5.0,
            lure: 0.9,
        }
    }
}

impl ReferralReward {
    /// The response to the reward's size, a/(a + reference), in [0, 1).
    pub fn response(&self) -> f64 {
        self.amount / (self.amount + self.reference)
    }
}

/// L3, X35: a guest speaker's talk. Members read it like a lesson, but the
/// trust it earns goes to the speaker, not the owner, and it raises what
/// members expect of the group.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Guests {
    pub schedule: Schedule,
    /// Money per talk (the speaker's fee).
    pub fee: f64,
    /// Quality of a talk, as content.quality for a lesson.
    pub quality: f64,
    /// Owner's hours to host a talk.
    pub hours: f64,
    /// Added to a reader's expectation of the group (share of the distance to 1).
    pub expectation: f64,
}

impl Default for Guests {
    fn default() -> Self {
        Guests {
            schedule: Schedule::every(7, 7),
            fee: 300.0,
            quality: 0.9,
            hours: 1.0,
            expectation: 0.1,
        }
    }
}

/// A lever: one strategy as the operator's budget sees it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Lever {
    Content,
    Guests,
    Service,
    Event,
    Rituals,
    Moderation,
    Kol,
    Reward,
    ReferralReward,
    Giveaway,
    Channel,
    Selling,
}

impl Lever {
    /// Every lever, in the default priority order.
    pub const ALL: [Lever; 12] = [
        Lever::Content,
        Lever::Service,
        Lever::Event,
        Lever::Rituals,
        Lever::Moderation,
        Lever::Guests,
        Lever::Kol,
        Lever::Reward,
        Lever::ReferralReward,
        Lever::Giveaway,
        Lever::Channel,
        Lever::Selling,
    ];

    /// The name used in scenario files and outputs.
    pub fn name(self) -> &'static str {
        match self {
            Lever::Content => "content",
            Lever::Guests => "guests",
            Lever::Service => "service",
            Lever::Event => "event",
            Lever::Rituals => "rituals",
            Lever::Moderation => "moderation",
            Lever::Kol => "kol",
            Lever::Reward => "reward",
            Lever::ReferralReward => "referral-reward",
            Lever::Giveaway => "giveaway",
            Lever::Channel => "channel",
            Lever::Selling => "selling",
        }
    }
}

/// The operator's money and time (issue 10). Every strategy draws on them
/// per use; when they run out, strategies stop, the last in `priority` first.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Operator {
    /// Money at launch ("unlimited", or a number of yuan).
    #[serde(with = "unlimited")]
    pub funds: f64,
    /// The owner's and the team's hours a week ("unlimited", or a number);
    /// weeks start on days 1, 8, 15, …
    #[serde(with = "unlimited")]
    pub hours_per_week: f64,
    /// Share of revenue (fees, renewals, purchases) that goes back into funds.
    pub reinvest: f64,
    /// Which strategies are paid first when money or hours are short; levers
    /// not listed follow in the default order.
    pub priority: Vec<Lever>,
}

impl Default for Operator {
    fn default() -> Self {
        Operator {
            funds: f64::INFINITY,
            hours_per_week: f64::INFINITY,
            reinvest: 1.0,
            priority: Lever::ALL.to_vec(),
        }
    }
}

impl Operator {
    /// The priority order with every lever, listed ones first.
    pub fn order(&self) -> Vec<Lever> {
        let mut v = self.priority.clone();
        for l in Lever::ALL {
            if !v.contains(&l) {
                v.push(l);
            }
        }
        v
    }
}

/// Serde for a non-negative amount that may be unlimited: written as a
/// number, or as the string "unlimited" for infinity (TOML and JSON alike).
pub mod unlimited {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_infinite() && *v > 0.0 {
            s.serialize_str("unlimited")
        } else {
            s.serialize_f64(*v)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Num(f64),
            Int(i64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Num(x) => Ok(x),
            Raw::Int(i) => Ok(i as f64),
            Raw::Text(t) if t == "unlimited" => Ok(f64::INFINITY),
            Raw::Text(t) => Err(serde::de::Error::custom(format!(
                "\"{t}\" is not allowed: write a number, or \"unlimited\""
            ))),
        }
    }
}

/// S4, R6: appointed or paid KOLs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Kol {
    /// Days on which the KOLs are paid and active; they are appointed on the
    /// first such day.
    pub schedule: Schedule,
    /// Number of KOLs (the best-connected members when appointed).
    pub count: u32,
    /// Money per KOL per active day.
    pub pay_per_day: f64,
    /// Probability that a KOL speaks on an active day.
    pub speak: f64,
    /// Interest gain for a member whose friend, a KOL, spoke yesterday.
    pub follower_gain: f64,
}

impl Default for Kol {
    fn default() -> Self {
        Kol {
            schedule: Schedule::every(1, 1),
            count: 3,
            pay_per_day: 20.0,
            speak: 0.8,
            follower_gain: 0.1,
        }
    }
}

/// S5, M6: a membership fee and an entry threshold.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Fee {
    /// Money paid to join.
    pub amount: f64,
    /// Money paid to renew at the end of each cycle (needs [cycle]).
    pub renewal: f64,
    /// Smallest need admitted (an application screen).
    pub threshold: f64,
    /// Willingness to pay of a person with need 1 (money, mean).
    pub willingness: f64,
    /// Commitment a payer starts with (0..1): they read and attend more to
    /// get their money's worth (M6).
    pub commitment: f64,
    /// Added to the expectation of paid members (they expect more, M3).
    pub expectation: f64,
}

impl Default for Fee {
    fn default() -> Self {
        Fee {
            amount: 99.0,
            renewal: 99.0,
            threshold: 0.0,
            willingness: 300.0,
            commitment: 0.3,
            expectation: 0.05,
        }
    }
}

/// S11: time-bounded cycles with renewal.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Cycle {
    /// Cycle length in days; cycles end on days length, 2·length, …
    pub length: u32,
    /// Renewal probability of a member with no satisfaction and no trust.
    pub renew_base: f64,
    /// Added renewal probability at full satisfaction and trust.
    pub renew_weight: f64,
}

impl Default for Cycle {
    fn default() -> Self {
        Cycle {
            length: 21,
            renew_base: 0.1,
            renew_weight: 0.8,
        }
    }
}

/// S6: an offline event.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Event {
    pub schedule: Schedule,
    /// Largest number of attendees.
    pub capacity: u32,
    /// Fixed money per event.
    pub cost: f64,
    /// Money per attendee.
    pub cost_per_attendee: f64,
    /// Trust gain of an attendee, as a share of the distance to 1.
    pub trust_gain: f64,
    /// Interest gain of an attendee, likewise.
    pub interest_gain: f64,
    /// Probability that two attendees become friends.
    pub tie_probability: f64,
    /// Owner's hours to prepare and run the event.
    pub hours: f64,
}

impl Default for Event {
    fn default() -> Self {
        Event {
            schedule: Schedule {
                days: vec![30],
                ..Schedule::default()
            },
            capacity: 30,
            cost: 500.0,
            cost_per_attendee: 20.0,
            trust_gain: 0.5,
            interest_gain: 0.4,
            tie_probability: 0.1,
            hours: 6.0,
        }
    }
}

/// S7: the operator's team answering questions.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Service {
    pub schedule: Schedule,
    /// Probability that the team answers a question members left unanswered.
    pub answer: f64,
    /// Typical time to answer, in hours.
    pub response_hours: f64,
    /// Money per day of service.
    pub cost_per_day: f64,
    /// Team hours per question answered.
    pub hours_per_answer: f64,
}

impl Default for Service {
    fn default() -> Self {
        Service {
            schedule: Schedule::every(1, 1),
            answer: 0.8,
            response_hours: 1.0,
            cost_per_day: 10.0,
            hours_per_answer: 0.1,
        }
    }
}

/// S8: rituals.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Rituals {
    /// A welcome message and self-introduction for every newcomer.
    pub welcome: bool,
    /// Trust and interest gain of a welcomed newcomer (share of the distance to 1).
    pub welcome_gain: f64,
    /// Check-in days.
    pub checkin: Schedule,
    /// Whether check-ins run at all.
    pub checkins: bool,
    /// Probability of checking in on a check-in day at full interest.
    pub checkin_rate: f64,
    /// Boredom hazard is divided by 1 + streak_weight × streak length.
    pub streak_weight: f64,
    /// Money per day the rituals run.
    pub cost_per_day: f64,
    /// Owner's hours per day the rituals run.
    pub hours_per_day: f64,
}

impl Default for Rituals {
    fn default() -> Self {
        Rituals {
            welcome: true,
            welcome_gain: 0.2,
            checkin: Schedule::every(1, 1),
            checkins: true,
            checkin_rate: 0.3,
            streak_weight: 0.2,
            cost_per_day: 0.0,
            hours_per_day: 0.2,
        }
    }
}

/// S9: moderation and elimination.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Moderation {
    /// Days after an advertiser's first ad until they are removed (0: the
    /// same day).
    pub ad_delay: u32,
    /// At the end of a cycle, remove members silent for this many days
    /// (0: keep them).
    pub inactive_days: u32,
    /// Money per day of moderation.
    pub cost_per_day: f64,
    /// Owner's hours per day of moderation.
    pub hours_per_day: f64,
}

impl Default for Moderation {
    fn default() -> Self {
        Moderation {
            ad_delay: 1,
            inactive_days: 0,
            cost_per_day: 5.0,
            hours_per_day: 0.3,
        }
    }
}

/// S10: selling and product pushes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Selling {
    pub schedule: Schedule,
    /// Pushes per push day.
    pub pushes: u32,
    /// Multiplier on purchase probability on a push day, per push.
    pub conversion_boost: f64,
    /// Trust spent per push, scaled by (1 - need).
    pub trust_cost: f64,
    /// Annoyance per push, scaled by (1 - need).
    pub annoyance: f64,
    /// Money per push.
    pub cost: f64,
}

impl Default for Selling {
    fn default() -> Self {
        Selling {
            schedule: Schedule::every(1, 7),
            pushes: 1,
            conversion_boost: 2.0,
            trust_cost: 0.03,
            annoyance: 0.1,
            cost: 0.0,
        }
    }
}

/// M7: a small stake offered to members, such as a 1-yuan group-buy.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct GroupBuy {
    pub schedule: Schedule,
    /// Money per purchase.
    pub price: f64,
    /// Probability that a member at full trust and latent need takes the deal.
    pub appeal: f64,
}

impl Default for GroupBuy {
    fn default() -> Self {
        GroupBuy {
            schedule: Schedule {
                days: vec![1, 2],
                ..Schedule::default()
            },
            price: 1.0,
            appeal: 0.5,
        }
    }
}

/// S13: group capacity and multiple groups.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Groups {
    /// Members per group at most (0: no limit).
    pub capacity: u32,
    /// Groups at most; when all are full, nobody else can join.
    pub max: u32,
    /// Money to open each group after the first.
    pub open_cost: f64,
    /// When a group fills, move half of its members to the new group.
    pub split: bool,
}

impl Default for Groups {
    fn default() -> Self {
        Groups {
            capacity: 500,
            max: 1,
            open_cost: 0.0,
            split: false,
        }
    }
}

pub(super) fn check(s: &super::ScenarioFile) -> Result<(), String> {
    let c = Checker;
    for (i, r) in s.rewards.iter().enumerate() {
        let f = |n: &str| format!("reward[{i}].{n}");
        check_schedule(&c, &f("schedule"), &r.schedule)?;
        c.real(&f("budget"), r.budget, 0.0, 1e12)?;
        if r.kind == RewardKind::Lottery {
            c.int(&f("winners"), r.winners as u64, 1, 1_000_000_000)?;
        }
        c.real(&f("reference"), r.reference, 1e-9, 1e12)?;
        c.prob(&f("interest_gain"), r.interest_gain)?;
        c.prob(&f("trust_gain"), r.trust_gain)?;
    }
    if s.giveaways.len() > 255 {
        return Err(format!(
            "{} [[giveaway]] sections: at most 255 are allowed",
            s.giveaways.len()
        ));
    }
    for (i, g) in s.giveaways.iter().enumerate() {
        let f = |n: &str| format!("giveaway[{i}].{n}");
        check_schedule(&c, &f("schedule"), &g.schedule)?;
        c.real(&f("reach"), g.reach, 0.0, 1e9)?;
        c.prob(&f("appeal"), g.appeal)?;
        c.real(&f("gift_cost"), g.gift_cost, 0.0, 1e12)?;
        c.int(&f("deliver_after"), g.deliver_after as u64, 0, 36_500)?;
        c.prob(&f("trust"), g.trust)?;
        c.prob(&f("promise"), g.promise)?;
    }
    if let Some(r) = &s.referral_reward {
        check_schedule(&c, "referral_reward.schedule", &r.schedule)?;
        c.real("referral_reward.amount", r.amount, 0.0, 1e12)?;
        c.real("referral_reward.reference", r.reference, 1e-9, 1e12)?;
        c.real("referral_reward.invite_gain", r.invite_gain, 0.0, 100.0)?;
        c.prob("referral_reward.lure", r.lure)?;
    }
    if let Some(k) = &s.kol {
        check_schedule(&c, "kol.schedule", &k.schedule)?;
        c.int("kol.count", k.count as u64, 1, 1_000_000)?;
        c.real("kol.pay_per_day", k.pay_per_day, 0.0, 1e12)?;
        c.prob("kol.speak", k.speak)?;
        c.prob("kol.follower_gain", k.follower_gain)?;
    }
    if let Some(f) = &s.fee {
        c.real("fee.amount", f.amount, 0.0, 1e12)?;
        c.real("fee.renewal", f.renewal, 0.0, 1e12)?;
        c.prob("fee.threshold", f.threshold)?;
        c.real("fee.willingness", f.willingness, 1e-9, 1e12)?;
        c.prob("fee.commitment", f.commitment)?;
        c.prob("fee.expectation", f.expectation)?;
    }
    if let Some(y) = &s.cycle {
        c.int("cycle.length", y.length as u64, 1, 36_500)?;
        c.prob("cycle.renew_base", y.renew_base)?;
        c.prob("cycle.renew_weight", y.renew_weight)?;
    }
    for (i, e) in s.events.iter().enumerate() {
        let f = |n: &str| format!("event[{i}].{n}");
        check_schedule(&c, &f("schedule"), &e.schedule)?;
        c.int(&f("capacity"), e.capacity as u64, 1, 1_000_000)?;
        c.real(&f("cost"), e.cost, 0.0, 1e12)?;
        c.real(&f("cost_per_attendee"), e.cost_per_attendee, 0.0, 1e12)?;
        c.prob(&f("trust_gain"), e.trust_gain)?;
        c.prob(&f("interest_gain"), e.interest_gain)?;
        c.prob(&f("tie_probability"), e.tie_probability)?;
        c.real(&f("hours"), e.hours, 0.0, 1e6)?;
    }
    if let Some(v) = &s.service {
        check_schedule(&c, "service.schedule", &v.schedule)?;
        c.prob("service.answer", v.answer)?;
        c.real("service.response_hours", v.response_hours, 0.0, 1e6)?;
        c.real("service.cost_per_day", v.cost_per_day, 0.0, 1e12)?;
        c.real("service.hours_per_answer", v.hours_per_answer, 0.0, 1e6)?;
    }
    if let Some(r) = &s.rituals {
        c.prob("rituals.welcome_gain", r.welcome_gain)?;
        check_schedule(&c, "rituals.checkin", &r.checkin)?;
        c.prob("rituals.checkin_rate", r.checkin_rate)?;
        c.real("rituals.streak_weight", r.streak_weight, 0.0, 100.0)?;
        c.real("rituals.cost_per_day", r.cost_per_day, 0.0, 1e12)?;
        c.real("rituals.hours_per_day", r.hours_per_day, 0.0, 1e6)?;
    }
    if let Some(m) = &s.moderation {
        c.int("moderation.ad_delay", m.ad_delay as u64, 0, 36_500)?;
        c.int(
            "moderation.inactive_days",
            m.inactive_days as u64,
            0,
            36_500,
        )?;
        if m.inactive_days > 0 && s.cycle.is_none() {
            return Err("field `moderation.inactive_days` removes silent members at the end of a cycle: add a [cycle] section, or set it to 0".into());
        }
        c.real("moderation.cost_per_day", m.cost_per_day, 0.0, 1e12)?;
        c.real("moderation.hours_per_day", m.hours_per_day, 0.0, 1e6)?;
    }
    if let Some(x) = &s.selling {
        check_schedule(&c, "selling.schedule", &x.schedule)?;
        c.int("selling.pushes", x.pushes as u64, 0, 1000)?;
        c.real("selling.conversion_boost", x.conversion_boost, 1.0, 1000.0)?;
        c.prob("selling.trust_cost", x.trust_cost)?;
        c.prob("selling.annoyance", x.annoyance)?;
        c.real("selling.cost", x.cost, 0.0, 1e12)?;
    }
    if let Some(b) = &s.group_buy {
        check_schedule(&c, "group_buy.schedule", &b.schedule)?;
        c.real("group_buy.price", b.price, 0.0, 1e12)?;
        c.prob("group_buy.appeal", b.appeal)?;
    }
    if let Some(x) = &s.guests {
        check_schedule(&c, "guests.schedule", &x.schedule)?;
        c.real("guests.fee", x.fee, 0.0, 1e12)?;
        c.prob("guests.quality", x.quality)?;
        c.real("guests.hours", x.hours, 0.0, 1e6)?;
        c.prob("guests.expectation", x.expectation)?;
    }
    let o = &s.operator;
    if o.funds.is_nan() || o.funds < 0.0 {
        return Err(format!(
            "field `operator.funds` = {} is out of range: allowed a number from 0 up, or \"unlimited\"",
            o.funds
        ));
    }
    if o.hours_per_week.is_nan() || o.hours_per_week < 0.0 {
        return Err(format!(
            "field `operator.hours_per_week` = {} is out of range: allowed a number from 0 up, or \"unlimited\"",
            o.hours_per_week
        ));
    }
    c.prob("operator.reinvest", o.reinvest)?;
    for (i, l) in o.priority.iter().enumerate() {
        if o.priority[..i].contains(l) {
            return Err(format!(
                "field `operator.priority` lists \"{}\" twice: list each lever at most once",
                l.name()
            ));
        }
    }
    let g = &s.groups;
    c.int("groups.max", g.max as u64, 1, 60_000)?;
    c.real("groups.open_cost", g.open_cost, 0.0, 1e12)?;
    if g.capacity == 1 && g.split {
        return Err("field `groups.split` needs groups.capacity of at least 2".into());
    }
    Ok(())
}
