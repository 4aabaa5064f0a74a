//! One simulated day. MODEL.md, "The day", describes these steps in order.

use rand::Rng;
use rand_distr::{Binomial, Distribution};

use super::params::Params;
use super::world::{Cause, Member, Role, Source, World, JOINING, LEAVING, MUTED, OUTSIDER, STAKE};
use super::{DayRow, Referral};
use crate::rng::Purpose;
use crate::scenario::FriendsMode;

impl World<'_> {
    /// Simulates day `day` (1-based) and returns its row.
    pub fn step(&mut self, p: &Params, day: u32, referrals: &mut Vec<Referral>) -> DayRow {
        let mut row = DayRow {
            day,
            ..DayRow::default()
        };
        let content_today = p.content_on && p.content.contains(day);
        if content_today {
            row.cost += p.content_cost;
        }
        let y = self.yesterday;
        let mut today = super::world::Aggregates::default();

        let act = self.key.day(Purpose::Activity, day);
        let inv = self.key.day(Purpose::Invite, day);
        let acc = self.key.day(Purpose::Accept, day);
        let cnv = self.key.day(Purpose::Convert, day);
        let lv = self.key.day(Purpose::Leave, day);

        // Group-level inputs every member reads: yesterday's volume, ads and
        // answerers (synchronous update: nobody sees today's messages today).
        let volume_ratio = y.messages as f64 / p.capacity;
        let chat = p.chat_gain * volume_ratio.min(1.0) as f32;
        let ads = y.ads as f32 * p.ad_annoyance;
        let answered_p = 1.0 - (1.0 - p.answer_rate).powi(y.answerers as i32);
        let invite_mult = if content_today { p.invite_boost } else { 1.0 };
        let well_mixed_pressure = if p.well_mixed && p.friends == FriendsMode::Contagion {
            p.friends_hazard * self.gone_total as f64 / p.n as f64
        } else {
            0.0
        };
        self.inviters.clear();
        self.pending.clear();

        for idx in 0..self.members.len() {
            let mut mem = self.members[idx];
            let m = mem.id;
            let tenure = day - mem.joined;
            if mem.flags & MUTED != 0 {
                // M5: a muted member is still counted but gone in practice;
                // they only drift out, for the reason they muted.
                if p.leave_on && lv.member(m).unit(0) < p.muted_leave {
                    self.members[idx].flags |= LEAVING;
                }
                continue;
            }
            let role = mem.role;
            let d_act = act.member(m);

            if role == Role::Owner as u8 {
                // R1: the owner posts the content and answers questions; never leaves.
                let speaks = content_today || d_act.unit(0) < p.speak[0];
                if speaks {
                    today.messages += p.messages[0] as u64;
                    today.answerers += 1;
                    row.active += 1;
                }
                if p.invite_on {
                    self.invite(p, m, p.invite_rate * invite_mult, &inv, &acc, &mut row);
                }
                continue;
            }

            // 1. Own state drifts: novelty fades (M4), value received is
            // forgotten, annoyance wears off.
            let mut i = mem.interest;
            let mut t = mem.trust;
            let mut s = mem.satisfaction * p.satisfaction_decay;
            let mut a = mem.annoyance * p.annoyance_decay;
            let need = 1.0 - (1.0 - mem.explicit) * (1.0 - mem.latent);
            if p.interest_on {
                i *= p.interest_decay;
                // A lively group is interesting up to the reader's capacity...
                i += chat * (1.0 - i);
                // ...and beyond it the volume is a burden, worst for those
                // with little interest (Ren & Kraut).
                a += p.overload * (volume_ratio as f32 - i).max(0.0);
            }
            // R4, S10: ads annoy, most of all members who do not need the product.
            a += ads * (1.0 - need);

            // 2. Leader content (R1, S1): read with a chance that grows with interest.
            if content_today && d_act.unit(1) < 0.5 + 0.5 * i as f64 {
                if p.interest_on {
                    i += p.content_interest * (1.0 - i);
                }
                if p.trust_on {
                    t += p.content_trust * (1.0 - t);
                }
                s += p.content_satisfaction * (1.0 - s);
            }

            // 3. Speaking (R2): experts and askers carry the chat.
            let spoke = d_act.unit(2) < p.speak[role as usize] * i as f64;
            if spoke {
                today.messages += p.messages[role as usize] as u64;
                if role == Role::Expert as u8 {
                    today.answerers += 1;
                } else if role == Role::Advertiser as u8 {
                    today.ads += p.messages[role as usize] as u64;
                } else if role == Role::Asker as u8 && d_act.unit(3) < answered_p {
                    // S7: an answered question is value received.
                    s += p.answer_gain * (1.0 - s);
                }
            }

            // 4. Expectations (M3): value short of what was promised erodes trust.
            if p.trust_on && tenure > p.grace_days {
                let gap = (mem.expectation - s).max(0.0);
                t = (t - p.expectation_weight * gap).max(0.0);
            }

            // 5. Inviting friends (S3).
            if p.invite_on {
                let engaged = if p.invite_engaged {
                    (i * t) as f64
                } else {
                    1.0
                };
                self.invite(
                    p,
                    m,
                    p.invite_rate * engaged * invite_mult,
                    &inv,
                    &acc,
                    &mut row,
                );
            }

            // 6. Conversion (M1): latent needs mature with tenure and trust.
            if p.convert_on {
                let chance = p.convert_rate * (mem.latent * t) as f64 * p.maturity[tenure as usize];
                if cnv.member(m).unit(0) < chance {
                    row.purchases += 1;
                    row.revenue += p.price;
                    mem.latent *= 1.0 - p.satisfies;
                    mem.flags |= STAKE;
                }
            }

            mem.interest = i;
            mem.trust = t;
            mem.satisfaction = s;
            mem.annoyance = a;
            // 7. Leaving or muting, with one cause.
            let exit = if p.leave_on {
                self.exit_decision(p, &mem, tenure, well_mixed_pressure, &lv)
            } else {
                None
            };
            match exit {
                None => row.active += spoke as u32,
                Some((cause, mute)) => {
                    mem.cause = cause as u8;
                    if mute {
                        mem.flags |= MUTED;
                        row.muted_new += 1;
                    } else {
                        mem.flags |= LEAVING;
                    }
                }
            }
            self.members[idx] = mem;
        }

        self.collect_joiners(p, day, &mut row);
        self.apply_joins(p, day, &mut row, referrals);
        self.finish_day(&mut row);
        row.messages = today.messages;
        self.yesterday = today;
        row
    }

    /// Member `m` decides whether to invite today (probability `chance`) and,
    /// on a graph, which non-member friends receive an invitation and accept.
    #[inline]
    fn invite(
        &mut self,
        p: &Params,
        m: u32,
        chance: f64,
        inv: &crate::rng::DayStream,
        acc: &crate::rng::DayStream,
        row: &mut DayRow,
    ) {
        let d = inv.member(m);
        if chance < 1.0 && d.unit(0) >= chance {
            return;
        }
        if p.well_mixed {
            self.inviters.push(m);
            return;
        }
        if p.per_friend <= 0.0 {
            return;
        }
        let sure = p.accept * (1.0 - p.accept_need_match);
        let friends = self.graph.neighbors(m);
        // Each friend receives an invitation independently with probability
        // per_friend. Rather than one draw per friend, draw the gap to the
        // next invited friend (geometric skipping): the same distribution,
        // with work proportional to invitations, not to friends. Invitations
        // to people already in (or gone) have no effect.
        let mut k = 0u64;
        let mut at = 0usize;
        loop {
            let bits = d.bits(k + 1);
            k += 1;
            if p.per_friend < 1.0 {
                let u = crate::rng::to_unit(bits);
                // P(gap = g) = (1 - q)^g q for g = 0, 1, ...
                let gap = ((1.0 - u).ln() * p.per_friend_log_inv).floor();
                if gap.is_nan() || gap >= (friends.len() - at) as f64 {
                    break;
                }
                at += gap as usize;
            }
            if at >= friends.len() {
                break;
            }
            let f = friends[at];
            at += 1;
            if self.status[f as usize] != OUTSIDER {
                continue;
            }
            row.invitations += 1;
            // Accept with probability accept·(1 − match + match·need): decide
            // without computing the need when the draw is clear either way.
            let accepted = sure >= 1.0 || {
                let u = acc.member(f).unit(m as u64);
                u < sure
                    || (u < p.accept && {
                        let need = self.need(p, f);
                        u < p.accept * (1.0 - p.accept_need_match + p.accept_need_match * need)
                    })
            };
            if accepted {
                // Several friends may win the same person; the smallest key
                // keeps the inviter independent of processing order.
                self.pending.push((f, (bits >> 32) as u32, m));
            }
        }
    }

    /// Hazards of leaving, combined; returns the cause and whether the member
    /// mutes instead of leaving.
    #[inline]
    fn exit_decision(
        &self,
        p: &Params,
        mem: &Member,
        tenure: u32,
        well_mixed_pressure: f64,
        lv: &crate::rng::DayStream,
    ) -> Option<(Cause, bool)> {
        let m = mem.id;
        let mi = m as usize;
        let (i, t, s, a) = (mem.interest, mem.trust, mem.satisfaction, mem.annoyance);
        if p.friends == FriendsMode::Threshold
            && !self.friends_in.is_empty()
            && self.friends_gone[mi] > 0
            && self.friends_in[mi] < p.friends_k
        {
            // Garcia et al. 2013: stay while at least k friends remain.
            return Some((Cause::Friends, false));
        }
        let bored = (1.0 - i) as f64;
        let h_boredom = p.base_hazard + p.boredom * bored * bored;
        let h_unmet = if p.needs_on && tenure > p.grace_days {
            p.unmet * (mem.explicit * (mem.expectation - s).max(0.0)) as f64
        } else {
            0.0
        };
        let h_trust = if p.trust_on {
            p.distrust * ((p.trust_floor - t) / p.trust_floor).max(0.0) as f64
        } else {
            0.0
        };
        let h_annoy = p.annoyance * a as f64;
        let h_friends = match p.friends {
            FriendsMode::Contagion if p.well_mixed => well_mixed_pressure,
            FriendsMode::Contagion => p.friends_hazard * self.friends_gone[mi] as f64,
            _ => 0.0,
        };
        let total = h_boredom + h_unmet + h_trust + h_annoy + h_friends;
        if total <= 0.0 {
            return None;
        }
        let scale = if mem.flags & STAKE != 0 {
            p.stake_factor
        } else {
            1.0
        };
        let d = lv.member(m);
        // P(exit) = 1 − exp(−H): competing hazards over one day.
        if d.unit(0) >= -(-total * scale).exp_m1() {
            return None;
        }
        let mut x = d.unit(1) * total;
        let mut cause = Cause::Friends;
        for (h, c) in [
            (h_boredom, Cause::Boredom),
            (h_unmet, Cause::UnmetNeed),
            (h_trust, Cause::LostTrust),
            (h_annoy, Cause::Annoyance),
        ] {
            if x < h {
                cause = c;
                break;
            }
            x -= h;
        }
        // M5: weak ties mute rather than leave when bored or annoyed.
        let mute = matches!(cause, Cause::Boredom | Cause::Annoyance) && d.unit(2) < p.mute_share;
        Some((cause, mute))
    }

    /// Settles who joins today: accepted invitations (graph), then channel
    /// candidates and well-mixed word of mouth drawn from the outsider pool.
    fn collect_joiners(&mut self, p: &Params, day: u32, row: &mut DayRow) {
        self.joiners.clear();
        // Invitations: one inviter per invitee, the smallest key.
        self.pending.sort_unstable();
        let mut last = u32::MAX;
        for &(f, _, by) in &self.pending {
            if f != last {
                last = f;
                self.status[f as usize] = JOINING;
                self.joiners.push((f, Source::Referral(by)));
            }
        }
        let active: Vec<usize> = (0..p.channels.len())
            .filter(|&c| p.channels[c].schedule.contains(day))
            .collect();
        let wom = if p.well_mixed && p.invite_on {
            p.contacts * self.inviters.len() as f64 / p.n as f64
        } else {
            0.0
        };
        if active.is_empty() && wom == 0.0 {
            return;
        }
        let mut rng = self.key.sequential(Purpose::Pool, day);
        // `avail` shrinks as candidates are drawn: pool[avail..] are today's
        // candidates, so nobody is drawn twice in a day. Someone already
        // joining by invitation can be drawn; they are simply not new.
        let mut avail = self.pool.len();
        // Volume channels: a fixed number of people reached (S12).
        for &c in &active {
            let ch = &p.channels[c];
            if ch.daily <= 0.0 {
                continue;
            }
            let whole = ch.daily.floor();
            let k = whole as usize + (rng.random::<f64>() < ch.daily - whole) as usize;
            for _ in 0..k.min(avail) {
                let v = draw(&mut self.pool, &mut self.pool_pos, &mut avail, &mut rng);
                let u: f64 = rng.random();
                if self.status[v as usize] == OUTSIDER
                    && u < 1.0 - ch.need_match + ch.need_match * self.need(p, v)
                {
                    self.status[v as usize] = JOINING;
                    self.joiners.push((v, Source::Channel(c as u16)));
                }
            }
        }
        // Rate channels and well-mixed word of mouth compete for the same
        // outsiders: each is reached today with probability min(1, Σ rates),
        // the discrete Bass form p + q·F when everyone reached accepts.
        let rates: f64 = active.iter().map(|&c| p.channels[c].rate).sum();
        let total = rates + wom;
        if total > 0.0 && avail > 0 {
            let reach = total.min(1.0);
            let k = Binomial::new(avail as u64, reach)
                .expect("0 <= reach <= 1")
                .sample(&mut rng) as usize;
            for _ in 0..k {
                let v = draw(&mut self.pool, &mut self.pool_pos, &mut avail, &mut rng);
                let mut x = rng.random::<f64>() * total;
                let u: f64 = rng.random();
                let mut source = None;
                let mut by_channel = false;
                for &c in &active {
                    let ch = &p.channels[c];
                    if x < ch.rate {
                        by_channel = true;
                        if u < 1.0 - ch.need_match + ch.need_match * self.need(p, v) {
                            source = Some(Source::Channel(c as u16));
                        }
                        break;
                    }
                    x -= ch.rate;
                }
                if !by_channel {
                    // Word of mouth: contacted by a random inviting member.
                    row.invitations += 1;
                    let by = self.inviters[rng.random_range(0..self.inviters.len())];
                    let accept = p.accept
                        * (1.0 - p.accept_need_match + p.accept_need_match * self.need(p, v));
                    if u < accept {
                        source = Some(Source::Referral(by));
                    }
                }
                if let (Some(src), OUTSIDER) = (source, self.status[v as usize]) {
                    self.status[v as usize] = JOINING;
                    self.joiners.push((v, src));
                }
            }
        }
    }
}

/// Draws one candidate uniformly from `pool[..avail]` and moves it to the end
/// of that range, keeping `pos` in step.
#[inline]
fn draw(pool: &mut [u32], pos: &mut [u32], avail: &mut usize, rng: &mut rand_pcg::Pcg64Mcg) -> u32 {
    let j = rng.random_range(0..*avail);
    *avail -= 1;
    pool.swap(j, *avail);
    pos[pool[j] as usize] = j as u32;
    pos[pool[*avail] as usize] = *avail as u32;
    pool[*avail]
}
