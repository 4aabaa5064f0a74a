//! Numbers the daily loop needs, derived once from the scenario.
//!
//! Half-lives become daily decay factors, daily probabilities become hazards,
//! and switched-off mechanisms become neutral values, so the hot loop does no
//! division, no `powf` and few branches.

use crate::scenario::{
    Cycle, Event, Fee, FriendsMode, Giveaway, GroupBuy, Groups, Guests, Kol, Lever, Moderation,
    ReferralReward, Reward, Rituals, Scenario, Schedule, Selling, Service,
};
use crate::stats::BetaTable;

/// A channel as the loop uses it.
#[derive(Debug, Clone)]
pub struct ChannelParams {
    pub daily: f64,
    pub rate: f64,
    pub schedule: Schedule,
    pub need_match: f64,
    pub cost_per_join: f64,
    pub trust: f32,
    pub promise: f32,
    /// How much the pitch's promise pulls reached people in (M3).
    pub pull: f64,
}

/// Derived, ready-to-use parameters of a scenario.
#[derive(Debug, Clone)]
pub struct Params {
    pub n: usize,
    pub well_mixed: bool,
    // Population.
    /// Cumulative role shares: expert, asker, advertiser, freebie (rest lurker).
    pub role_cum: [f64; 4],
    pub needs_on: bool,
    pub explicit: std::sync::Arc<BetaTable>,
    pub latent: std::sync::Arc<BetaTable>,
    pub freebie_factor: f64,
    pub satisfaction_decay: f32,
    // Launch.
    pub start_members: u64,
    pub start_ids: Vec<u64>,
    pub start_friends: bool,
    pub owner: bool,
    pub start_trust: f32,
    pub start_promise: f32,
    // Joining.
    pub channels: Vec<ChannelParams>,
    pub invite_on: bool,
    pub invite_rate: f64,
    pub invite_engaged: bool,
    pub per_friend: f64,
    /// 1 / ln(1 - per_friend), for drawing gaps between invited friends.
    pub per_friend_log_inv: f64,
    /// (1 − per_friend)^k for k = 0..256: the chance that none of k friends
    /// is invited. The day loop reads the gap to the next invited friend
    /// from it without a logarithm (issue 11; `day::invitation_gap`).
    pub per_friend_none: Vec<f64>,
    pub contacts: f64,
    pub accept: f64,
    /// `accept` times the pull of a friend's promise (M3).
    pub accept_pulled: f64,
    pub promise_pull: f64,
    pub accept_need_match: f64,
    pub invite_trust: f32,
    pub invite_promise: f32,
    // Interest and trust.
    pub interest_on: bool,
    pub interest_initial: f32,
    pub interest_decay: f32,
    pub chat_gain: f32,
    pub trust_on: bool,
    pub expectation_weight: f32,
    pub trust_floor: f32,
    // Activity.
    pub speak: [f64; 6],
    pub messages: [u32; 6],
    pub message_weight: [f64; 6],
    pub capacity: f64,
    pub overload: f32,
    pub ad_annoyance: f32,
    pub annoyance_decay: f32,
    pub conversation: f64,
    pub spontaneous: f64,
    pub greeting: f64,
    pub answer_rate: f64,
    pub answer_gain: f32,
    pub watch_gain: f64,
    pub ad_audience: f32,
    // Content.
    pub content_on: bool,
    pub content: Schedule,
    pub content_interest: f32,
    pub content_trust: f32,
    pub content_satisfaction: f32,
    pub invite_boost: f64,
    pub content_cost: f64,
    pub content_hours: f64,
    // The operator's money and time (§9.1).
    pub funds: f64,
    pub hours_per_week: f64,
    pub reinvest: f64,
    pub order: Vec<Lever>,
    pub guests: Option<Guests>,
    pub guest_interest: f32,
    pub guest_satisfaction: f32,
    // Conversion.
    pub convert_on: bool,
    pub convert_rate: f64,
    /// 1 - exp(-tenure / maturity_days), by tenure in days.
    pub maturity: Vec<f64>,
    pub price: f64,
    pub satisfies: f32,
    pub repeat: f32,
    pub purchase_value: f32,
    pub use_need: f32,
    pub purchase_commitment: f32,
    // Value (Ren & Kraut's benefit-cost model).
    pub w_info: f32,
    pub w_social: f32,
    pub w_novelty: f32,
    pub outside: f32,
    /// Hope left after t days, 2^(−t/patience), by tenure.
    pub hope: Vec<f32>,
    pub w_disappoint: f32,
    pub w_annoy: f32,
    // Ties.
    pub ties_on: bool,
    pub tie_friend: f32,
    pub tie_answer: f32,
    pub tie_reply: f32,
    pub tie_welcome: f32,
    pub tie_event: f32,
    pub tie_decay: f32,
    /// tie_decay^k for k = 0..=days: a tie's fading over k days without
    /// contact, looked up instead of computed (issue 11).
    pub tie_decay_pow: Vec<f32>,
    pub tie_half_value: f32,
    pub tie_chat: f64,
    pub reply_rate: f64,
    // Leaving.
    pub leave_on: bool,
    pub base_hazard: f64,
    /// 1 − exp(−base_hazard): the daily chance of leaving by the base rate.
    pub base_leave: f64,
    pub value_hazard: f64,
    pub distrust: f64,
    pub grace_days: u32,
    pub mute_share: f64,
    pub muted_leave: f64,
    /// The run's length in days.
    pub days: u32,
    /// ln(1 − `muted_leave`), for the day a muted member drifts out
    /// (−∞ when they go the next day).
    pub muted_log_stay: f64,
    pub friends: FriendsMode,
    pub friends_k: u32,
    /// Graph: hazard per friend who left, -ln(1 - rate). Well-mixed: ν.
    pub friends_hazard: f64,
    // Operator strategies (S2–S13), as written in the scenario.
    pub topic_match: f32,
    pub rewards: Vec<Reward>,
    pub giveaways: Vec<Giveaway>,
    pub referral_reward: Option<ReferralReward>,
    pub kol: Option<Kol>,
    pub fee: Option<Fee>,
    pub cycle: Option<Cycle>,
    pub events: Vec<Event>,
    pub service: Option<Service>,
    /// Satisfaction multiplier of an answer from the service team, by speed.
    pub service_speed: f32,
    pub rituals: Option<Rituals>,
    pub moderation: Option<Moderation>,
    pub selling: Option<Selling>,
    pub group_buy: Option<GroupBuy>,
    pub groups: Groups,
    pub keep_members: bool,
    /// Runs the drift and the reading of §4.2–§4.3 even when
    /// [`Params::feelings_matter`] says they change nothing: for the test
    /// that checks that it is so. Off in every run.
    pub always_drift: bool,
    /// The member array is compacted when its holes times this exceed
    /// its records (4; a test compacts every day, see `World::holes`).
    pub hole_share: usize,
}

/// Probability weighting of rank-dependent utility (Tversky & Kahneman
/// 1992, γ = 0.61): small chances feel larger than they are.
pub fn probability_weight(p: f64) -> f64 {
    const GAMMA: f64 = 0.61;
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let a = p.powf(GAMMA);
    a / (a + (1.0 - p).powf(GAMMA)).powf(1.0 / GAMMA)
}

/// Daily factor for a half-life in days (`inf` gives 1: no decay).
fn decay(half_life: f64) -> f32 {
    if half_life.is_infinite() {
        1.0
    } else {
        0.5f64.powf(1.0 / half_life) as f32
    }
}

/// The share of reached people a promise of `promise` pulls in (M3): more
/// is promised, more join. Without trust, expectations have no effect.
fn pull(trust_on: bool, weight: f64, promise: f64) -> f64 {
    if trust_on {
        1.0 - weight + weight * promise
    } else {
        1.0
    }
}

fn beta(mean: f64, concentration: f64) -> std::sync::Arc<BetaTable> {
    BetaTable::cached(mean, concentration)
}

impl Params {
    /// Derives the loop's parameters; `n` is the population size.
    pub fn new(scenario: &Scenario, n: usize) -> Params {
        let s = scenario.spec();
        let r = &s.roles;
        let mut role_cum = [r.expert, r.asker, r.advertiser, r.freebie];
        for i in 1..4 {
            role_cum[i] += role_cum[i - 1];
        }
        let a = &s.activity;
        let messages = a.messages.as_array().map(|m| m.round() as u32);
        let l = &s.leave;
        Params {
            n,
            well_mixed: s.population.graph.is_well_mixed(),
            role_cum,
            needs_on: s.needs.enabled,
            explicit: beta(s.needs.explicit_mean, s.needs.concentration),
            latent: beta(s.needs.latent_mean, s.needs.concentration),
            freebie_factor: s.needs.freebie_factor,
            satisfaction_decay: decay(s.needs.satisfaction_half_life),
            start_members: s.start.members,
            start_ids: s.start.ids.clone(),
            start_friends: s.start.pick == crate::scenario::Pick::Friends,
            owner: s.start.owner,
            start_trust: s.start.trust as f32,
            start_promise: s.start.promise as f32,
            channels: s
                .channels
                .iter()
                .map(|c| ChannelParams {
                    daily: c.daily,
                    rate: c.rate,
                    schedule: c.schedule.clone(),
                    need_match: c.need_match,
                    cost_per_join: c.cost_per_join,
                    trust: c.trust as f32,
                    promise: c.promise as f32,
                    pull: pull(s.trust.enabled, s.trust.promise_pull, c.promise),
                })
                .collect(),
            invite_on: s.invite.enabled,
            invite_rate: s.invite.rate,
            invite_engaged: s.invite.engaged,
            per_friend: s.invite.per_friend,
            per_friend_log_inv: 1.0 / (1.0 - s.invite.per_friend).ln(),
            per_friend_none: {
                let log_q = (1.0 - s.invite.per_friend).ln();
                (0..256).map(|k| (k as f64 * log_q).exp()).collect()
            },
            contacts: s.invite.contacts,
            accept: s.invite.accept,
            accept_pulled: s.invite.accept
                * pull(s.trust.enabled, s.trust.promise_pull, s.invite.promise),
            promise_pull: if s.trust.enabled {
                s.trust.promise_pull
            } else {
                0.0
            },
            accept_need_match: s.invite.need_match,
            invite_trust: s.invite.trust as f32,
            invite_promise: s.invite.promise as f32,
            interest_on: s.interest.enabled,
            interest_initial: s.interest.initial as f32,
            interest_decay: decay(s.interest.half_life),
            chat_gain: s.interest.chat_gain as f32,
            trust_on: s.trust.enabled,
            expectation_weight: s.trust.expectation_weight as f32,
            trust_floor: s.trust.floor as f32,
            speak: a.speak.as_array(),
            messages,
            message_weight: messages.map(|m| m as f64),
            capacity: a.capacity,
            overload: a.overload as f32,
            ad_annoyance: a.ad_annoyance as f32,
            annoyance_decay: decay(a.annoyance_half_life),
            conversation: a.conversation,
            spontaneous: a.spontaneous,
            greeting: a.greeting,
            answer_rate: a.answer_rate,
            answer_gain: a.answer_gain as f32,
            watch_gain: a.watch_gain,
            ad_audience: a.ad_audience as f32,
            content_on: s.content.enabled,
            content: s.content.schedule.clone(),
            content_interest: (s.content.quality * s.content.interest_gain) as f32,
            content_trust: (s.content.quality * s.content.trust_gain) as f32,
            content_satisfaction: (s.content.quality * s.content.satisfaction_gain) as f32,
            invite_boost: s.content.invite_boost,
            content_cost: s.content.cost,
            content_hours: s.content.hours,
            funds: s.operator.funds,
            hours_per_week: s.operator.hours_per_week,
            reinvest: s.operator.reinvest,
            order: s.operator.order(),
            guests: s.guests.clone(),
            guest_interest: s
                .guests
                .as_ref()
                .map_or(0.0, |g| (g.quality * s.content.interest_gain) as f32),
            guest_satisfaction: s
                .guests
                .as_ref()
                .map_or(0.0, |g| (g.quality * s.content.satisfaction_gain) as f32),
            convert_on: s.conversion.enabled,
            convert_rate: s.conversion.rate,
            maturity: (0..=s.days)
                .map(|t| 1.0 - (-(t as f64) / s.conversion.maturity_days).exp())
                .collect(),
            price: s.conversion.price,
            satisfies: s.conversion.satisfies as f32,
            repeat: s.conversion.repeat as f32,
            purchase_value: s.conversion.value as f32,
            use_need: s.conversion.use_need as f32,
            purchase_commitment: s.conversion.commitment as f32,
            w_info: s.value.information as f32,
            w_social: s.value.social as f32,
            w_novelty: s.value.novelty as f32,
            outside: s.value.outside as f32,
            hope: {
                let d = decay(s.value.patience);
                (0..=s.days).map(|t| d.powi(t as i32)).collect()
            },
            w_disappoint: s.value.disappointment as f32,
            w_annoy: s.value.annoyance as f32,
            ties_on: s.ties.enabled,
            tie_friend: s.ties.friend as f32,
            tie_answer: s.ties.answer as f32,
            tie_reply: s.ties.reply as f32,
            tie_welcome: s.ties.welcome as f32,
            tie_event: s.ties.event as f32,
            tie_decay: decay(s.ties.half_life),
            tie_decay_pow: {
                let d = decay(s.ties.half_life);
                (0..=s.days).map(|t| d.powi(t as i32)).collect()
            },
            tie_half_value: s.ties.half_value as f32,
            tie_chat: s.ties.chat,
            reply_rate: s.ties.reply_rate,
            leave_on: l.enabled,
            base_hazard: -(1.0 - l.base).max(1e-300).ln(),
            base_leave: -(-(-(1.0 - l.base).max(1e-300).ln())).exp_m1(),
            value_hazard: l.value,
            distrust: l.distrust,
            grace_days: l.grace_days,
            mute_share: l.mute_share,
            muted_leave: l.muted_leave,
            days: s.days,
            muted_log_stay: (-l.muted_leave).ln_1p(),
            friends: l.friends.mode,
            friends_k: l.friends.k,
            friends_hazard: if s.population.graph.is_well_mixed() {
                l.friends.rate
            } else {
                -(1.0 - l.friends.rate).max(1e-300).ln()
            },
            topic_match: s.content.topic_match as f32,
            rewards: s.rewards.clone(),
            giveaways: s.giveaways.clone(),
            referral_reward: s.referral_reward.clone(),
            kol: s.kol.clone(),
            fee: s.fee.clone(),
            cycle: s.cycle.clone(),
            events: s.events.clone(),
            service: s.service.clone(),
            service_speed: s
                .service
                .as_ref()
                .map_or(1.0, |v| (1.0 / (1.0 + v.response_hours / 4.0)) as f32),
            rituals: s.rituals.clone(),
            moderation: s.moderation.clone(),
            selling: s.selling.clone(),
            group_buy: s.group_buy.clone(),
            groups: s.groups.clone(),
            keep_members: s.output.members,
            always_drift: false,
            hole_share: 4,
        }
    }

    /// Whether a member's satisfaction, annoyance or expectation can change
    /// anything: what speaking reads of satisfaction (interest below 1),
    /// eroding trust (M3), the value of staying, repeat purchases and
    /// renewal. When none of those is on, interest and trust never move, and
    /// the day's drift (§4.2) and what reading the chat teaches (§4.3) are
    /// skipped: they could change no outcome (issue 11).
    pub fn feelings_matter(&self) -> bool {
        self.always_drift
            || self.interest_on
            || self.trust_on
            || (self.leave_on && self.value_hazard > 0.0)
            || self.convert_on
            || self.cycle.is_some()
    }

    /// Whether per-person counts of friends who left must be kept.
    pub fn tracks_friends(&self) -> bool {
        self.leave_on && !self.well_mixed && self.friends != FriendsMode::Off
    }

    /// Whether per-person counts of friends still in must be kept: for the
    /// threshold rule, and for the social value of graph friends.
    pub fn counts_friends_in(&self) -> bool {
        !self.well_mixed
            && ((self.tracks_friends() && self.friends == FriendsMode::Threshold)
                || (self.ties_on && self.tie_friend > 0.0))
    }

    /// The pull of a pitch's promise (M3).
    pub fn pull(&self, promise: f64) -> f64 {
        1.0 - self.promise_pull + self.promise_pull * promise
    }

    /// Whether a fee applies and the person would pay it and pass the
    /// threshold; `u` is the person's own uniform (S5).
    pub fn admits(&self, need: f64, u: f64) -> bool {
        match &self.fee {
            None => true,
            Some(f) => {
                if need < f.threshold {
                    return false;
                }
                // Willingness to pay is exponential with mean
                // willingness × need: P(pay) = exp(−amount / (w·n)).
                f.amount <= 0.0 || (need > 0.0 && u < (-f.amount / (f.willingness * need)).exp())
            }
        }
    }

    /// Group capacity (u32::MAX for no limit).
    pub fn capacity(&self) -> u32 {
        if self.groups.capacity == 0 {
            u32::MAX
        } else {
            self.groups.capacity
        }
    }
}
