//! Scenario files: their shape (serde) and the checked scenario the engine trusts.
//!
//! A scenario is read in two steps. [`ScenarioFile`] is the file's shape: every
//! field has a default and unknown fields are rejected. [`Scenario::from_toml`]
//! then checks every value against its documented range and resolves what
//! depends on the file's location (graph paths). Nothing downstream sees an
//! unchecked value. docs/scenario.md lists every field; keep the two in step.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

mod strategies;
pub use strategies::{
    Cycle, Event, Fee, Giveaway, GroupBuy, Groups, Guests, Kol, Lever, Moderation, Operator,
    ReferralReward, Reward, RewardKind, Rituals, Selling, Service,
};

/// The built-in default scenario, compiled into the binary so that
/// `commsim run` works with no files at all.
pub const DEFAULT_SCENARIO: &str = include_str!("../scenarios/default.toml");
/// How the built-in scenario is named in messages.
pub const DEFAULT_SCENARIO_NAME: &str = "scenarios/default.toml (built in)";

/// Largest population commsim accepts at all (ids are 32-bit).
pub const MAX_POPULATION: u64 = 4_000_000_000;

/// A scenario file as written. Every field has a default.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ScenarioFile {
    /// Name used for the default output folder and in chart titles.
    pub name: String,
    /// One line on what the scenario shows.
    pub description: String,
    /// Days simulated after launch day 0.
    pub days: u32,
    /// Monte Carlo runs.
    pub runs: u32,
    /// Master seed: any u64. Written as a TOML integer up to 2^63 - 1 and as
    /// a string of digits above (TOML integers are signed 64-bit); both forms
    /// are read (see [`seed_serde`]).
    #[serde(with = "seed_serde")]
    pub seed: u64,
    pub population: Population,
    pub roles: Roles,
    pub needs: Needs,
    pub start: Start,
    #[serde(rename = "channel")]
    pub channels: Vec<Channel>,
    pub invite: Invite,
    pub interest: Interest,
    pub trust: Trust,
    pub activity: Activity,
    pub content: Content,
    pub conversion: Conversion,
    pub leave: Leave,
    pub value: Value,
    pub ties: Ties,
    pub lifetime: Lifetime,
    pub output: OutputOptions,
    // Operator strategies (S1 is `content` above, S12 is `channel`).
    #[serde(rename = "reward", skip_serializing_if = "Vec::is_empty")]
    pub rewards: Vec<Reward>,
    #[serde(rename = "giveaway", skip_serializing_if = "Vec::is_empty")]
    pub giveaways: Vec<Giveaway>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referral_reward: Option<ReferralReward>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kol: Option<Kol>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fee: Option<Fee>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cycle: Option<Cycle>,
    #[serde(rename = "event", skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<Service>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rituals: Option<Rituals>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moderation: Option<Moderation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selling: Option<Selling>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_buy: Option<GroupBuy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guests: Option<Guests>,
    pub groups: Groups,
    /// The operator's money and time; always written out.
    pub operator: Operator,
}

impl Default for ScenarioFile {
    fn default() -> Self {
        ScenarioFile {
            name: String::new(),
            description: String::new(),
            days: 90,
            runs: 100,
            seed: 1,
            population: Population::default(),
            roles: Roles::default(),
            needs: Needs::default(),
            start: Start::default(),
            channels: Vec::new(),
            invite: Invite::default(),
            interest: Interest::default(),
            trust: Trust::default(),
            activity: Activity::default(),
            content: Content::default(),
            conversion: Conversion::default(),
            leave: Leave::default(),
            value: Value::default(),
            ties: Ties::default(),
            lifetime: Lifetime::default(),
            output: OutputOptions::default(),
            rewards: Vec::new(),
            giveaways: Vec::new(),
            referral_reward: None,
            kol: None,
            fee: None,
            cycle: None,
            events: Vec::new(),
            service: None,
            rituals: None,
            moderation: None,
            selling: None,
            group_buy: None,
            guests: None,
            groups: Groups::default(),
            operator: Operator::default(),
        }
    }
}

/// The people who could ever join, and their social graph.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Population {
    /// Number of people. Taken from the file for `model = "file"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    pub graph: GraphSpec,
    /// Draw a new random graph for every run (true) or one graph shared by all
    /// runs, drawn from the scenario seed (false).
    pub resample: bool,
}

/// How the social graph is made.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "model", rename_all = "kebab-case", deny_unknown_fields)]
pub enum GraphSpec {
    /// Anyone can meet anyone; no edges are stored.
    WellMixed,
    /// G(n, p) with the given mean degree.
    ErdosRenyi { mean_degree: f64 },
    /// Preferential attachment, m edges per new node.
    BarabasiAlbert { m: u32 },
    /// Ring lattice of degree k, rewired with probability `rewire`.
    WattsStrogatz { k: u32, rewire: f64 },
    /// Friend circles: `blocks` equal groups, mean degree inside and across.
    Block {
        blocks: u32,
        degree_in: f64,
        degree_out: f64,
    },
    /// An edge-list file ("u v" per line), relative to the scenario file.
    File { path: PathBuf },
}

impl Default for GraphSpec {
    fn default() -> Self {
        GraphSpec::BarabasiAlbert { m: 3 }
    }
}

impl GraphSpec {
    pub fn is_well_mixed(&self) -> bool {
        matches!(self, GraphSpec::WellMixed)
    }
}

/// Shares of each role among people (R2–R5). Lurkers are the rest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Roles {
    pub expert: f64,
    pub asker: f64,
    pub advertiser: f64,
    pub freebie: f64,
}

impl Default for Roles {
    fn default() -> Self {
        Roles {
            expert: 0.05,
            asker: 0.20,
            advertiser: 0.02,
            freebie: 0.05,
        }
    }
}

/// Needs (M1): explicit (now) and latent (future), each Beta-distributed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Needs {
    pub enabled: bool,
    pub explicit_mean: f64,
    pub latent_mean: f64,
    /// Beta concentration a + b: higher means needs cluster near the mean.
    pub concentration: f64,
    /// Freebie seekers' needs are scaled by this (R5).
    pub freebie_factor: f64,
    /// Half-life of perceived value (satisfaction) in days.
    pub satisfaction_half_life: f64,
}

impl Default for Needs {
    fn default() -> Self {
        Needs {
            enabled: true,
            explicit_mean: 0.4,
            latent_mean: 0.3,
            concentration: 4.0,
            freebie_factor: 0.2,
            satisfaction_half_life: 14.0,
        }
    }
}

/// Launch day: who is in the group on day 0.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Start {
    /// Number of initial members (including the owner), if `ids` is empty.
    pub members: u64,
    /// Explicit initial members by id (the file's ids for file graphs).
    pub ids: Vec<u64>,
    /// "friends": the owner and their friends, breadth-first; "random".
    pub pick: Pick,
    /// Whether the first initial member is the owner (R1), who never leaves.
    pub owner: bool,
    /// Initial trust of launch members.
    pub trust: f64,
    /// Expectation set at recruitment (M3).
    pub promise: f64,
}

impl Default for Start {
    fn default() -> Self {
        Start {
            members: 20,
            ids: Vec::new(),
            pick: Pick::Friends,
            owner: true,
            trust: 0.7,
            promise: 0.4,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Pick {
    Friends,
    Random,
}

/// When something happens: days from `start` every `every` days until `end`
/// (inclusive), or exactly the listed `days`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(from = "ScheduleFile")]
pub struct Schedule {
    pub start: u32,
    pub every: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<u32>,
    pub days: Vec<u32>,
    /// The file gave `start` and nothing else, which reads as "every day
    /// from `start`" but is almost always meant as "once": refused by
    /// [`check_schedule`] with a message saying how to write either.
    #[serde(skip)]
    only_start: bool,
}

/// A schedule as written: which fields were given.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleFile {
    start: Option<u32>,
    every: Option<u32>,
    end: Option<u32>,
    days: Option<Vec<u32>>,
}

impl From<ScheduleFile> for Schedule {
    fn from(f: ScheduleFile) -> Self {
        let d = Schedule::default();
        Schedule {
            only_start: f.start.is_some()
                && f.every.is_none()
                && f.end.is_none()
                && f.days.is_none(),
            start: f.start.unwrap_or(d.start),
            every: f.every.unwrap_or(d.every),
            end: f.end,
            days: f.days.unwrap_or_default(),
        }
    }
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            start: 1,
            every: 1,
            end: None,
            days: Vec::new(),
            only_start: false,
        }
    }
}

impl Schedule {
    pub fn every(start: u32, every: u32) -> Self {
        Schedule {
            start,
            every,
            ..Schedule::default()
        }
    }

    /// Whether the schedule fires on `day`.
    pub fn contains(&self, day: u32) -> bool {
        if !self.days.is_empty() {
            return self.days.binary_search(&day).is_ok();
        }
        day >= self.start
            && self.end.is_none_or(|e| day <= e)
            && (day - self.start).is_multiple_of(self.every)
    }
}

/// An acquisition channel (S12).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Channel {
    pub name: String,
    /// People reached per active day (fractions are rounded randomly).
    pub daily: f64,
    /// Probability per day that each outsider is reached.
    pub rate: f64,
    pub schedule: Schedule,
    /// 0: everyone reached joins (mass adding); 1: only people with needs do.
    pub need_match: f64,
    /// Money spent per person who joins.
    pub cost_per_join: f64,
    /// Initial trust of people who join through this channel.
    pub trust: f64,
    /// Expectation set by this channel's pitch (M3).
    pub promise: f64,
}

impl Default for Channel {
    fn default() -> Self {
        Channel {
            name: "channel".into(),
            daily: 0.0,
            rate: 0.0,
            schedule: Schedule::every(1, 1),
            need_match: 0.5,
            cost_per_join: 0.0,
            trust: 0.3,
            promise: 0.5,
        }
    }
}

/// Word of mouth and invitations (S3, Backstrom et al. 2006).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Invite {
    pub enabled: bool,
    /// Daily probability that a member invites, before engagement scaling.
    pub rate: f64,
    /// Scale the rate by the member's interest × trust.
    pub engaged: bool,
    /// Graph populations: probability that an inviting member invites each
    /// non-member friend.
    pub per_friend: f64,
    /// Well-mixed populations: people contacted per inviting member per day.
    pub contacts: f64,
    /// Probability that an invitation is accepted, before need matching.
    pub accept: f64,
    /// 0: acceptance ignores needs; 1: acceptance is `accept` × the invitee's need.
    pub need_match: f64,
    /// Initial trust of people who join by invitation (a friend vouched).
    pub trust: f64,
    /// Expectation set by a friend's invitation (M3).
    pub promise: f64,
}

impl Default for Invite {
    fn default() -> Self {
        Invite {
            enabled: true,
            rate: 0.05,
            engaged: true,
            per_friend: 0.3,
            contacts: 0.0,
            accept: 0.5,
            need_match: 0.6,
            trust: 0.5,
            promise: 0.4,
        }
    }
}

/// Interest and its novelty decay (M4).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Interest {
    /// Off: interest is fixed at 1.
    pub enabled: bool,
    /// Interest of a new member.
    pub initial: f64,
    /// Novelty half-life in days; `inf` switches decay off.
    pub half_life: f64,
    /// Daily interest gain from a group chatting at capacity.
    pub chat_gain: f64,
}

impl Default for Interest {
    fn default() -> Self {
        Interest {
            enabled: true,
            initial: 0.9,
            half_life: 2.0,
            chat_gain: 0.05,
        }
    }
}

/// Trust in the leader (M2) and the expectation gap (M3).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Trust {
    /// Off: trust is fixed at 1 (expectations still feed the unmet-need hazard).
    pub enabled: bool,
    /// Daily trust lost per unit of expectation not met (M3).
    pub expectation_weight: f64,
    /// Below this trust, members start to leave for "lost trust".
    pub floor: f64,
    /// How much a pitch's promise pulls people in: a reached person joins
    /// with the usual chance × (1 − w + w × promise) (M3).
    pub promise_pull: f64,
}

impl Default for Trust {
    fn default() -> Self {
        Trust {
            enabled: true,
            expectation_weight: 0.02,
            floor: 0.25,
            promise_pull: 0.5,
        }
    }
}

/// Per-role numbers: owner, expert, asker, lurker, advertiser, freebie seeker.
/// One struct per use, so that a table that sets only some roles keeps the
/// other roles' defaults for that use.
macro_rules! per_role {
    ($name:ident, $doc:literal, [$o:expr, $e:expr, $a:expr, $l:expr, $ad:expr, $f:expr]) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
        #[serde(deny_unknown_fields, default)]
        pub struct $name {
            pub owner: f64,
            pub expert: f64,
            pub asker: f64,
            pub lurker: f64,
            pub advertiser: f64,
            pub freebie: f64,
        }

        impl Default for $name {
            fn default() -> Self {
                $name {
                    owner: $o,
                    expert: $e,
                    asker: $a,
                    lurker: $l,
                    advertiser: $ad,
                    freebie: $f,
                }
            }
        }

        impl $name {
            /// Values in role order (see [`ROLE_NAMES`]).
            pub fn as_array(&self) -> [f64; 6] {
                [
                    self.owner,
                    self.expert,
                    self.asker,
                    self.lurker,
                    self.advertiser,
                    self.freebie,
                ]
            }
        }
    };
}

per_role!(
    Speak,
    "Probability of speaking on a day at full interest, by role.",
    [0.0, 0.5, 0.35, 0.03, 0.5, 0.05]
);
per_role!(
    Messages,
    "Messages sent on a day the member speaks, by role.",
    [3.0, 3.0, 2.0, 1.0, 3.0, 1.0]
);

/// Daily activity: speaking, messages, overload (R2, R3, Ren & Kraut).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Activity {
    pub speak: Speak,
    pub messages: Messages,
    /// Messages per day a fully interested member reads comfortably.
    pub capacity: f64,
    /// Annoyance added per day per unit of volume above the member's capacity.
    pub overload: f64,
    /// Annoyance added per advertiser message seen, scaled by (1 - need).
    pub ad_annoyance: f64,
    /// Half-life of annoyance in days.
    pub annoyance_half_life: f64,
    /// Messages per member per day at which members talk freely: below it,
    /// speaking is scaled down towards `spontaneous` (conversation begets
    /// conversation).
    pub conversation: f64,
    /// Share of the speaking probability left in a silent group.
    pub spontaneous: f64,
    /// Probability that a newcomer posts a greeting on the day they join.
    pub greeting: f64,
    /// Chance that one active expert (or the owner) answers a given question.
    pub answer_rate: f64,
    /// Satisfaction gained by an asker whose question is answered.
    pub answer_gain: f64,
    /// Information value a reader with full explicit need takes from one
    /// question answered in the group yesterday (X28: lurkers learn by
    /// watching).
    pub watch_gain: f64,
    /// Members at which an advertiser's audience is worth half of what a
    /// large group's is (R4: advertisers stay for reach).
    pub ad_audience: f64,
}

impl Default for Activity {
    fn default() -> Self {
        Activity {
            speak: Speak::default(),
            messages: Messages::default(),
            capacity: 100.0,
            overload: 0.6,
            ad_annoyance: 0.02,
            annoyance_half_life: 3.0,
            conversation: 0.15,
            spontaneous: 0.05,
            greeting: 0.5,
            answer_rate: 0.3,
            answer_gain: 0.2,
            watch_gain: 0.005,
            ad_audience: 50.0,
        }
    }
}

/// Leader content (R1, S1): posts and lessons on a schedule.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Content {
    pub enabled: bool,
    pub schedule: Schedule,
    /// Quality, 0..1: scales every gain below.
    pub quality: f64,
    /// How well topics fit members' needs, 0..1: scales the satisfaction gain.
    pub topic_match: f64,
    pub interest_gain: f64,
    pub trust_gain: f64,
    pub satisfaction_gain: f64,
    /// Invitation rate multiplier on a content day (a reason to invite).
    pub invite_boost: f64,
    /// Money spent per content item (bought in).
    pub cost: f64,
    /// Owner's hours to prepare each content item.
    pub hours: f64,
}

impl Default for Content {
    fn default() -> Self {
        Content {
            enabled: true,
            schedule: Schedule::every(1, 7),
            quality: 0.7,
            topic_match: 0.8,
            interest_gain: 0.5,
            trust_gain: 0.1,
            satisfaction_gain: 0.5,
            invite_boost: 2.0,
            cost: 0.0,
            hours: 2.0,
        }
    }
}

/// Conversion of latent needs into purchases (M1, M7).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Conversion {
    pub enabled: bool,
    /// Daily purchase probability at full latent need, trust and maturity.
    pub rate: f64,
    /// Time constant (days) over which latent needs mature in the group.
    pub maturity_days: f64,
    /// Revenue per purchase.
    pub price: f64,
    /// Share of the latent need a purchase satisfies.
    pub satisfies: f64,
    /// Purchase chance of a buyer is multiplied by 1 + repeat × satisfaction:
    /// a satisfied buyer buys again (X9).
    pub repeat: f64,
    /// Information value a purchase delivers (the product is used).
    pub value: f64,
    /// Explicit need a purchase adds, as a share of the distance to 1: a
    /// buyer has questions about what they bought (M7).
    pub use_need: f64,
    /// Commitment a purchase adds (share of the distance to 1).
    pub commitment: f64,
}

impl Default for Conversion {
    fn default() -> Self {
        Conversion {
            enabled: true,
            rate: 0.02,
            maturity_days: 21.0,
            price: 99.0,
            satisfies: 0.0,
            repeat: 1.0,
            value: 0.2,
            use_need: 0.3,
            commitment: 0.2,
        }
    }
}

/// Leaving and muting.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Leave {
    /// Off: nobody leaves or mutes, for any cause.
    pub enabled: bool,
    /// State-independent daily leaving probability (cause: boredom).
    pub base: f64,
    /// Daily hazard per unit of net value short of the outside option
    /// (`value.outside`).
    pub value: f64,
    /// Daily hazard when trust is zero, falling linearly to 0 at the floor.
    pub distrust: f64,
    /// During their first days, new members are not yet disappointed by unmet
    /// expectations and do not lose trust over them.
    pub grace_days: u32,
    /// Share of exits for lack of value, annoyance or lost friends that mute
    /// instead of leaving, for a member with something to keep (M5).
    pub mute_share: f64,
    /// Daily probability that a muted member finally leaves.
    pub muted_leave: f64,
    pub friends: FriendsLeave,
}

impl Default for Leave {
    fn default() -> Self {
        Leave {
            enabled: true,
            base: 0.0,
            value: 1.5,
            distrust: 0.3,
            grace_days: 3,
            mute_share: 0.6,
            muted_leave: 0.02,
            friends: FriendsLeave::default(),
        }
    }
}

/// What members weigh when they decide to stay (Ren & Kraut's benefit-cost
/// model of online communities): information, social bonds and novelty,
/// against annoyance, disappointment and an outside option.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Value {
    /// Weight of information value (needs met: lessons, answers, watching).
    pub information: f64,
    /// Weight of social value (ties to other members).
    pub social: f64,
    /// Weight of novelty (interest).
    pub novelty: f64,
    /// Net value of the member's best alternative: below it they leave.
    pub outside: f64,
    /// Half-life in days of a newcomer's hope: the promised value, weighted
    /// by their need, counts while they wait for the group to deliver.
    pub patience: f64,
    /// Weight of disappointment: explicit need × the expectation not met (M3).
    pub disappointment: f64,
    /// Weight of annoyance (overload, ads, pushes) as a cost.
    pub annoyance: f64,
}

impl Default for Value {
    fn default() -> Self {
        Value {
            information: 1.0,
            social: 1.0,
            novelty: 0.15,
            outside: 0.3,
            patience: 2.0,
            disappointment: 0.5,
            annoyance: 0.5,
        }
    }
}

/// Ties between members: made by interactions, decaying without contact.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Ties {
    /// Off: members have no ties to each other and no social value.
    pub enabled: bool,
    /// Strength of the tie to each social-graph friend in the same group
    /// (kept while both are in).
    pub friend: f64,
    /// Strength added between an asker and the member who answered.
    pub answer: f64,
    /// Strength added between a newcomer and the member who replied to
    /// their greeting.
    pub reply: f64,
    /// Strength added between a welcomed newcomer and the owner (S8).
    pub welcome: f64,
    /// Strength of a tie made at an offline event (S6).
    pub event: f64,
    /// Half-life in days of a tie made by interaction, without contact.
    pub half_life: f64,
    /// Tie strength at which social value is half its maximum: a few strong
    /// ties are worth much, hundreds are not worth more (X27).
    pub half_value: f64,
    /// Daily probability of chatting with one's ties, at full social value.
    pub chat: f64,
    /// Chance that one member who spoke yesterday replies to a newcomer's
    /// greeting (Joyce & Kraut 2006).
    pub reply_rate: f64,
}

impl Default for Ties {
    fn default() -> Self {
        Ties {
            enabled: true,
            friend: 0.1,
            answer: 0.3,
            reply: 0.3,
            welcome: 0.3,
            event: 0.5,
            half_life: 30.0,
            half_value: 1.0,
            chat: 0.02,
            reply_rate: 0.1,
        }
    }
}

/// Leaving because friends left (Garcia et al. 2013; Cannarella & Spechler 2014).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FriendsLeave {
    pub mode: FriendsMode,
    /// Threshold mode: stay while at least k friends remain.
    pub k: u32,
    /// Contagion mode: daily probability per friend who has left (graph), or
    /// the irSIR rate ν at which members leave per unit share of leavers
    /// in the population (well-mixed).
    pub rate: f64,
}

impl Default for FriendsLeave {
    fn default() -> Self {
        FriendsLeave {
            mode: FriendsMode::Off,
            k: 2,
            rate: 0.02,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum FriendsMode {
    Off,
    Threshold,
    Contagion,
}

/// When a group counts as dead (see docs/outputs.md, "lifetime").
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Lifetime {
    /// Dead from the first day after which active members stay below this
    /// fraction of their peak.
    pub fraction: f64,
}

impl Default for Lifetime {
    fn default() -> Self {
        Lifetime { fraction: 0.1 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct OutputOptions {
    /// Write referrals.csv (one row per join by invitation).
    pub referrals: bool,
    /// Write members.csv (one row per person who ever joined, per run).
    pub members: bool,
}

impl Default for OutputOptions {
    fn default() -> Self {
        OutputOptions {
            referrals: true,
            members: true,
        }
    }
}

/// A checked scenario. Only [`Scenario::from_toml`] makes one.
#[derive(Debug, Clone)]
pub struct Scenario {
    spec: ScenarioFile,
    source: PathBuf,
}

impl Scenario {
    /// Reads and checks a scenario file.
    pub fn load(path: &Path) -> Result<Scenario> {
        let text = read_text_file(path, "scenario file").map_err(|message| Error::Scenario {
            path: path.to_path_buf(),
            message,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "scenario".into());
        Scenario::from_toml(&text, path, base, &stem)
    }

    /// The built-in default scenario.
    pub fn builtin_default() -> Scenario {
        Scenario::from_toml(
            DEFAULT_SCENARIO,
            Path::new(DEFAULT_SCENARIO_NAME),
            Path::new("."),
            "default",
        )
        .expect("the built-in default scenario is valid (checked by a test)")
    }

    /// Parses and checks scenario text. `source` names it in messages,
    /// relative paths inside it resolve against `base_dir`, and `stem` is the
    /// name used when the file sets none.
    pub fn from_toml(text: &str, source: &Path, base_dir: &Path, stem: &str) -> Result<Scenario> {
        let err = |message: String| Error::Scenario {
            path: source.to_path_buf(),
            message,
        };
        let tree: toml::Table =
            toml::from_str(text).map_err(|e| err(e.to_string().trim_end().to_string()))?;
        check_table_arrays(&tree, &ARRAY_SECTIONS).map_err(err)?;
        let mut spec: ScenarioFile =
            toml::from_str(text).map_err(|e| err(e.to_string().trim_end().to_string()))?;
        if spec.name.is_empty() {
            spec.name = stem.to_string();
        }
        if let GraphSpec::File { path } = &mut spec.population.graph {
            // Absolute, so that the resolved scenario written with the
            // results still finds the graph when rerun from elsewhere.
            let joined = base_dir.join(&*path);
            *path = std::path::absolute(&joined).unwrap_or(joined);
        }
        check(&spec).map_err(err)?;
        Ok(Scenario {
            spec,
            source: source.to_path_buf(),
        })
    }

    pub fn spec(&self) -> &ScenarioFile {
        &self.spec
    }

    pub fn source(&self) -> &Path {
        &self.source
    }

    /// Overrides taken from the command line, checked like the file's values.
    pub fn with_overrides(mut self, runs: Option<u32>, seed: Option<u64>) -> Result<Scenario> {
        if let Some(r) = runs {
            self.spec.runs = r;
        }
        if let Some(s) = seed {
            self.spec.seed = s;
        }
        check(&self.spec).map_err(|m| Error::Usage(format!("{m} (from the command line)")))?;
        self.check_round_trip()?;
        Ok(self)
    }

    /// Checks that the resolved scenario written with the results
    /// (scenario.toml) reads back as this very scenario, so that a finished
    /// batch can always be rerun from its folder. Called before any
    /// simulation work, so a value that cannot be written fails at once.
    pub fn check_round_trip(&self) -> Result<()> {
        let fail = |why: String| Error::Scenario {
            path: self.source.clone(),
            message: format!(
                "the resolved scenario would not read back ({why}); please report this as a bug"
            ),
        };
        let text = toml::to_string(&self.spec).map_err(|e| fail(e.to_string()))?;
        let back: ScenarioFile = toml::from_str(&text).map_err(|e| fail(e.to_string()))?;
        if back != self.spec {
            return Err(fail("a value changed when written and read back".into()));
        }
        Ok(())
    }

    /// A copy with `edit` applied to the file's shape, checked again.
    pub fn modified(&self, edit: impl FnOnce(&mut ScenarioFile)) -> Result<Scenario> {
        let mut spec = self.spec.clone();
        edit(&mut spec);
        check(&spec).map_err(|message| Error::Scenario {
            path: self.source.clone(),
            message,
        })?;
        Ok(Scenario {
            spec,
            source: self.source.clone(),
        })
    }

    /// Records the population size once the graph is known (file graphs).
    pub fn set_population_size(&mut self, n: u64) {
        self.spec.population.size = Some(n);
    }

    /// The resolved scenario as TOML, every default filled in.
    pub fn to_toml(&self) -> String {
        toml::to_string(&self.spec).expect("a checked scenario serialises")
    }

    /// Population size; for file graphs this is known once the file is read.
    pub fn population_size(&self) -> Option<u64> {
        match self.spec.population.graph {
            GraphSpec::File { .. } => self.spec.population.size,
            _ => Some(self.spec.population.size.unwrap_or(DEFAULT_POPULATION)),
        }
    }
}

/// Largest scenario or sweep file read, in bytes: far above any real one,
/// and small enough that a path such as /dev/zero is refused quickly.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// Reads a scenario or sweep file as UTF-8 text, refusing files larger than
/// [`MAX_FILE_BYTES`]. `what` names the kind of file in messages.
pub(crate) fn read_text_file(path: &Path, what: &str) -> std::result::Result<String, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {what}: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {what}: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "cannot read {what}: it is larger than {} MiB, which no {what} is",
            MAX_FILE_BYTES >> 20
        ));
    }
    String::from_utf8(bytes)
        .map_err(|e| format!("cannot read {what}: it is not valid UTF-8 text ({e})"))
}

/// The scenario's sections that are arrays of tables: each is written
/// `[[name]]`, once per item.
pub const ARRAY_SECTIONS: [&str; 4] = ["channel", "reward", "giveaway", "event"];

/// Refuses a section that should be an array of tables (`[[reward]]`) but is
/// written as one table (`[reward]` or `reward = { ... }`), which serde would
/// report as "invalid type: map, expected a sequence".
pub(crate) fn check_table_arrays(
    tree: &toml::Table,
    sections: &[&str],
) -> std::result::Result<(), String> {
    for name in sections {
        if let Some(toml::Value::Table(_)) = tree.get(*name) {
            return Err(format!(
                "[{name}] is written with single brackets: write [[{name}]]: a scenario can have several, one [[{name}]] table each"
            ));
        }
    }
    Ok(())
}

/// Reading and writing a seed: any u64, although TOML integers stop at
/// 2^63 - 1 (i64::MAX). A seed is written as an integer when it fits and as a
/// string of decimal digits (`seed = "9223372036854775808"`) when it does
/// not; either form is read. docs/scenario.md documents this.
pub mod seed_serde {
    use serde::{de, Deserializer, Serializer};

    /// What a seed may be, for messages.
    pub const ALLOWED: &str = "a whole number from 0 to 18446744073709551615 (above 9223372036854775807 write it as a string of digits, e.g. \"9223372036854775808\")";

    pub fn serialize<S: Serializer>(seed: &u64, s: S) -> Result<S::Ok, S::Error> {
        match i64::try_from(*seed) {
            Ok(i) => s.serialize_i64(i),
            Err(_) => s.serialize_str(&seed.to_string()),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        d.deserialize_any(SeedVisitor)
    }

    /// For `Option<u64>` seeds (sweep files).
    pub mod option {
        use serde::{Deserializer, Serializer};

        pub fn serialize<S: Serializer>(seed: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
            match seed {
                Some(v) => super::serialize(v, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
            super::deserialize(d).map(Some)
        }
    }

    struct SeedVisitor;

    impl de::Visitor<'_> for SeedVisitor {
        type Value = u64;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str(ALLOWED)
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v)
                .map_err(|_| E::custom(format!("seed = {v} is negative: a seed is {ALLOWED}")))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
            if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                return Err(E::custom(format!(
                    "seed = {v:?} is not a string of digits: a seed is {ALLOWED}"
                )));
            }
            v.parse::<u64>()
                .map_err(|_| E::custom(format!("seed = {v:?} is too large: a seed is {ALLOWED}")))
        }
    }
}

/// Population size when a generated graph's scenario sets none.
pub const DEFAULT_POPULATION: u64 = 1000;

/// Checks every value. Returns the first problem, naming the field and what
/// is allowed.
pub(crate) fn check(s: &ScenarioFile) -> std::result::Result<(), String> {
    let c = Checker;
    c.int("days", s.days as u64, 1, 36_500)?;
    c.int("runs", s.runs as u64, 1, 1_000_000)?;
    if s.name.trim().is_empty() {
        return Err("field `name` must not be empty".into());
    }
    if s.name.contains(['/', '\\']) || s.name.starts_with('.') {
        return Err(format!(
            "field `name` = {:?} cannot be used as a folder name: use letters, digits, '-' and '_'",
            s.name
        ));
    }
    let is_file = matches!(s.population.graph, GraphSpec::File { .. });
    if let Some(n) = s.population.size {
        c.int("population.size", n, 1, MAX_POPULATION)?;
    }
    let n = s.population.size.unwrap_or(DEFAULT_POPULATION);
    match &s.population.graph {
        GraphSpec::WellMixed => {}
        GraphSpec::ErdosRenyi { mean_degree } => c.real(
            "population.graph.mean_degree",
            *mean_degree,
            0.0,
            (n - 1) as f64,
        )?,
        GraphSpec::BarabasiAlbert { m } => {
            c.int("population.graph.m", *m as u64, 1, (n - 1).clamp(1, 10_000))?
        }
        GraphSpec::WattsStrogatz { k, rewire } => {
            c.int("population.graph.k", *k as u64, 2, (n - 1).clamp(2, 10_000))?;
            if k % 2 == 1 {
                return Err(format!(
                    "field `population.graph.k` = {k} must be even (k/2 neighbours on each side of the ring)"
                ));
            }
            c.prob("population.graph.rewire", *rewire)?;
        }
        GraphSpec::Block {
            blocks,
            degree_in,
            degree_out,
        } => {
            c.int("population.graph.blocks", *blocks as u64, 1, n)?;
            let size = n / *blocks as u64;
            c.real(
                "population.graph.degree_in",
                *degree_in,
                0.0,
                size.saturating_sub(1) as f64,
            )?;
            c.real(
                "population.graph.degree_out",
                *degree_out,
                0.0,
                (n - size) as f64,
            )?;
        }
        GraphSpec::File { .. } => {}
    }
    let r = &s.roles;
    for (f, v) in [
        ("roles.expert", r.expert),
        ("roles.asker", r.asker),
        ("roles.advertiser", r.advertiser),
        ("roles.freebie", r.freebie),
    ] {
        c.prob(f, v)?;
    }
    let total = r.expert + r.asker + r.advertiser + r.freebie;
    if total > 1.0 + 1e-9 {
        return Err(format!(
            "roles: expert + asker + advertiser + freebie = {total:.4} must be at most 1 (lurkers are the rest)"
        ));
    }
    let nd = &s.needs;
    c.open01("needs.explicit_mean", nd.explicit_mean)?;
    c.open01("needs.latent_mean", nd.latent_mean)?;
    c.real("needs.concentration", nd.concentration, 0.01, 1e6)?;
    c.prob("needs.freebie_factor", nd.freebie_factor)?;
    c.positive("needs.satisfaction_half_life", nd.satisfaction_half_life)?;

    let st = &s.start;
    if st.ids.is_empty() {
        // File graphs are checked once the file is read (batch::prepare).
        if !is_file {
            c.int("start.members", st.members, 0, n)?;
        }
    } else {
        let mut ids = st.ids.clone();
        ids.sort_unstable();
        if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
            return Err(format!("field `start.ids` lists id {} twice", w[0]));
        }
        if !is_file {
            if let Some(bad) = st.ids.iter().find(|&&i| i >= n) {
                return Err(format!(
                    "field `start.ids` has id {bad}, but people are numbered 0 to {} in a population of {n}",
                    n - 1
                ));
            }
        }
    }
    c.prob("start.trust", st.trust)?;
    c.prob("start.promise", st.promise)?;

    for (i, ch) in s.channels.iter().enumerate() {
        let f = |name: &str| format!("channel[{i}] ({}).{name}", ch.name);
        c.real(&f("daily"), ch.daily, 0.0, 1e9)?;
        c.prob(&f("rate"), ch.rate)?;
        if ch.daily > 0.0 && ch.rate > 0.0 {
            return Err(format!(
                "channel[{i}] ({}): set either `daily` (people reached per day) or `rate` (share of outsiders reached per day), not both",
                ch.name
            ));
        }
        check_schedule(&c, &f("schedule"), &ch.schedule)?;
        c.prob(&f("need_match"), ch.need_match)?;
        c.real(&f("cost_per_join"), ch.cost_per_join, 0.0, 1e12)?;
        c.prob(&f("trust"), ch.trust)?;
        c.prob(&f("promise"), ch.promise)?;
    }
    let iv = &s.invite;
    c.prob("invite.rate", iv.rate)?;
    c.prob("invite.per_friend", iv.per_friend)?;
    c.real("invite.contacts", iv.contacts, 0.0, 1e6)?;
    c.prob("invite.accept", iv.accept)?;
    c.prob("invite.need_match", iv.need_match)?;
    c.prob("invite.trust", iv.trust)?;
    c.prob("invite.promise", iv.promise)?;

    let it = &s.interest;
    c.prob("interest.initial", it.initial)?;
    c.positive("interest.half_life", it.half_life)?;
    c.prob("interest.chat_gain", it.chat_gain)?;
    c.real(
        "trust.expectation_weight",
        s.trust.expectation_weight,
        0.0,
        1.0,
    )?;
    c.open01("trust.floor", s.trust.floor)?;
    c.prob("trust.promise_pull", s.trust.promise_pull)?;

    let a = &s.activity;
    for (role, v) in ROLE_NAMES.iter().zip(a.speak.as_array()) {
        c.prob(&format!("activity.speak.{role}"), v)?;
    }
    for (role, v) in ROLE_NAMES.iter().zip(a.messages.as_array()) {
        c.real(&format!("activity.messages.{role}"), v, 0.0, 1000.0)?;
    }
    c.real("activity.capacity", a.capacity, 1e-9, 1e9)?;
    c.real("activity.overload", a.overload, 0.0, 10.0)?;
    c.real("activity.ad_annoyance", a.ad_annoyance, 0.0, 1.0)?;
    c.positive("activity.annoyance_half_life", a.annoyance_half_life)?;
    c.real("activity.conversation", a.conversation, 0.0, 1000.0)?;
    c.prob("activity.spontaneous", a.spontaneous)?;
    c.prob("activity.greeting", a.greeting)?;
    c.prob("activity.answer_rate", a.answer_rate)?;
    c.prob("activity.answer_gain", a.answer_gain)?;
    c.prob("activity.watch_gain", a.watch_gain)?;
    c.real("activity.ad_audience", a.ad_audience, 0.0, 1e9)?;

    let ct = &s.content;
    check_schedule(&c, "content.schedule", &ct.schedule)?;
    c.prob("content.quality", ct.quality)?;
    c.prob("content.topic_match", ct.topic_match)?;
    c.prob("content.interest_gain", ct.interest_gain)?;
    c.prob("content.trust_gain", ct.trust_gain)?;
    c.prob("content.satisfaction_gain", ct.satisfaction_gain)?;
    c.real("content.invite_boost", ct.invite_boost, 0.0, 100.0)?;
    c.real("content.cost", ct.cost, 0.0, 1e12)?;
    c.real("content.hours", ct.hours, 0.0, 1e6)?;

    let cv = &s.conversion;
    c.prob("conversion.rate", cv.rate)?;
    c.positive("conversion.maturity_days", cv.maturity_days)?;
    c.real("conversion.price", cv.price, 0.0, 1e12)?;
    c.prob("conversion.satisfies", cv.satisfies)?;
    c.real("conversion.repeat", cv.repeat, 0.0, 100.0)?;
    c.prob("conversion.value", cv.value)?;
    c.prob("conversion.use_need", cv.use_need)?;
    c.prob("conversion.commitment", cv.commitment)?;

    let l = &s.leave;
    c.prob("leave.base", l.base)?;
    c.real("leave.value", l.value, 0.0, 100.0)?;
    c.real("leave.distrust", l.distrust, 0.0, 100.0)?;
    c.int("leave.grace_days", l.grace_days as u64, 0, 36_500)?;
    c.prob("leave.mute_share", l.mute_share)?;
    c.prob("leave.muted_leave", l.muted_leave)?;
    let v = &s.value;
    c.real("value.information", v.information, 0.0, 100.0)?;
    c.real("value.social", v.social, 0.0, 100.0)?;
    c.real("value.novelty", v.novelty, 0.0, 100.0)?;
    c.real("value.outside", v.outside, 0.0, 100.0)?;
    c.positive("value.patience", v.patience)?;
    c.real("value.disappointment", v.disappointment, 0.0, 100.0)?;
    c.real("value.annoyance", v.annoyance, 0.0, 100.0)?;
    let t = &s.ties;
    for (f, x) in [
        ("ties.friend", t.friend),
        ("ties.answer", t.answer),
        ("ties.reply", t.reply),
        ("ties.welcome", t.welcome),
        ("ties.event", t.event),
    ] {
        c.real(f, x, 0.0, 100.0)?;
    }
    c.positive("ties.half_life", t.half_life)?;
    c.real("ties.half_value", t.half_value, 1e-9, 1e9)?;
    c.prob("ties.chat", t.chat)?;
    c.prob("ties.reply_rate", t.reply_rate)?;
    c.int("leave.friends.k", l.friends.k as u64, 1, 1_000_000)?;
    if s.population.graph.is_well_mixed() {
        c.real("leave.friends.rate", l.friends.rate, 0.0, 100.0)?;
        if l.friends.mode == FriendsMode::Threshold {
            return Err("field `leave.friends.mode` = \"threshold\" needs a social graph; a well-mixed population has no friends to count (use \"contagion\" or \"off\")".into());
        }
    } else {
        c.prob("leave.friends.rate", l.friends.rate)?;
    }
    c.open01("lifetime.fraction", s.lifetime.fraction)?;
    strategies::check(s)?;
    Ok(())
}

/// Role names in the order used by [`Speak::as_array`].
pub const ROLE_NAMES: [&str; 6] = [
    "owner",
    "expert",
    "asker",
    "lurker",
    "advertiser",
    "freebie",
];

pub(crate) fn check_schedule(
    c: &Checker,
    field: &str,
    s: &Schedule,
) -> std::result::Result<(), String> {
    if s.only_start {
        return Err(format!(
            "{field} gives only `start = {start}`: say how often it repeats, e.g. `{{ start = {start}, every = 7 }}` for every 7 days (`every = 1` for daily), or `{{ days = [{start}] }}` for once",
            start = s.start
        ));
    }
    if !s.days.is_empty() {
        if s != &(Schedule {
            days: s.days.clone(),
            ..Schedule::default()
        }) {
            return Err(format!(
                "{field}: give either `days` (a list) or `start`/`every`/`end`, not both"
            ));
        }
        if s.days.windows(2).any(|w| w[0] >= w[1]) {
            return Err(format!(
                "{field}.days must be in increasing order without repeats, got {:?}",
                s.days
            ));
        }
        return Ok(());
    }
    c.int(&format!("{field}.every"), s.every as u64, 1, 36_500)?;
    if let Some(end) = s.end {
        if end < s.start {
            return Err(format!(
                "{field}.end = {end} is before {field}.start = {}",
                s.start
            ));
        }
    }
    Ok(())
}

/// Range checks that produce messages naming the field and the allowed range.
pub(crate) struct Checker;

impl Checker {
    pub(crate) fn int(
        &self,
        field: &str,
        v: u64,
        lo: u64,
        hi: u64,
    ) -> std::result::Result<(), String> {
        if v < lo || v > hi {
            return Err(format!(
                "field `{field}` = {v} is out of range: allowed {lo} to {hi}"
            ));
        }
        Ok(())
    }

    pub(crate) fn real(
        &self,
        field: &str,
        v: f64,
        lo: f64,
        hi: f64,
    ) -> std::result::Result<(), String> {
        if !(v >= lo && v <= hi) {
            return Err(format!(
                "field `{field}` = {v} is out of range: allowed {lo} to {hi}"
            ));
        }
        Ok(())
    }

    pub(crate) fn prob(&self, field: &str, v: f64) -> std::result::Result<(), String> {
        if !(0.0..=1.0).contains(&v) {
            return Err(format!(
                "field `{field}` = {v} is out of range: allowed 0 to 1"
            ));
        }
        Ok(())
    }

    pub(crate) fn open01(&self, field: &str, v: f64) -> std::result::Result<(), String> {
        if !(v > 0.0 && v < 1.0) {
            return Err(format!(
                "field `{field}` = {v} is out of range: allowed strictly between 0 and 1"
            ));
        }
        Ok(())
    }

    pub(crate) fn positive(&self, field: &str, v: f64) -> std::result::Result<(), String> {
        if v.is_nan() || v <= 0.0 {
            return Err(format!(
                "field `{field}` = {v} is out of range: allowed greater than 0 (inf for never)"
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Scenario> {
        Scenario::from_toml(text, Path::new("t.toml"), Path::new("."), "t")
    }

    #[test]
    fn builtin_default_is_valid_and_round_trips() {
        let s = Scenario::builtin_default();
        let again = parse(&s.to_toml()).unwrap();
        assert_eq!(s.spec(), again.spec());
    }

    #[test]
    fn unknown_field_is_rejected_with_its_name() {
        let e = parse("days = 10\n[interest]\nhalflife = 3\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("halflife"), "{e}");
        assert!(e.contains("t.toml"), "{e}");
    }

    #[test]
    fn out_of_range_names_field_and_range() {
        let e = parse("[interest]\ninitial = 1.5\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("interest.initial") && e.contains("0 to 1"),
            "{e}"
        );
    }

    #[test]
    fn schedule_contains() {
        let s = Schedule {
            end: Some(17),
            ..Schedule::every(3, 7)
        };
        let on: Vec<u32> = (0..30).filter(|&d| s.contains(d)).collect();
        assert_eq!(on, vec![3, 10, 17]);
        let l = Schedule {
            days: vec![2, 5],
            ..Schedule::default()
        };
        assert!(l.contains(5) && !l.contains(3));
    }

    #[test]
    fn graph_model_is_tagged() {
        let s = parse("[population]\nsize = 50\n[population.graph]\nmodel = \"watts-strogatz\"\nk = 4\nrewire = 0.1\n").unwrap();
        assert_eq!(
            s.spec().population.graph,
            GraphSpec::WattsStrogatz { k: 4, rewire: 0.1 }
        );
        let e = parse("[population.graph]\nmodel = \"small-world\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("small-world"), "{e}");
    }
}
