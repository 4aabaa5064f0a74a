//! One simulated day. MODEL.md, "The day", describes these steps in order.

use rand::Rng;
use rand_distr::{Binomial, Distribution};

use super::params::probability_weight;
use super::params::Params;
use super::world::{
    Aggregates, Cause, Member, Role, Source, World, GIFT, GIFT_JOINER, JOINING, KOL, LEAVING,
    MUTED, OUTSIDER, PAID, STAKE,
};
use super::{DayRow, Referral};
use crate::rng::Purpose;
use crate::scenario::{FriendsMode, RewardKind};

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
        let act = self.key.day(Purpose::Activity, day);
        let inv = self.key.day(Purpose::Invite, day);
        let acc = self.key.day(Purpose::Accept, day);
        let cnv = self.key.day(Purpose::Convert, day);
        let lv = self.key.day(Purpose::Leave, day);
        if !self.kols_appointed && p.kol.as_ref().is_some_and(|k| k.schedule.contains(day)) {
            self.appoint_kols(p);
        }
        let today_s = Today::new(p, self, day, content_today, &mut row);
        self.need_match = p
            .referral_reward
            .as_ref()
            .filter(|r| r.schedule.contains(day))
            .map_or(p.accept_need_match, |r| r.need_match);

        // Group-level inputs every member reads: yesterday's volume, ads and
        // answerers in their own group (synchronous update: nobody sees
        // today's messages today).
        let inputs: Vec<GroupInputs> = self
            .yesterday
            .iter()
            .zip(&self.group_size)
            .map(|(y, &size)| GroupInputs::new(p, y, size))
            .collect();
        let ng = self.group_size.len();
        let mut today = vec![Aggregates::default(); ng];
        self.active_by_group.clear();
        self.active_by_group.resize(ng, 0);
        let invite_mult = today_s.invite_mult;
        let well_mixed_pressure = if p.well_mixed && p.friends == FriendsMode::Contagion {
            p.friends_hazard * self.gone_total as f64 / p.n as f64
        } else {
            0.0
        };
        self.inviters.clear();
        self.pending.clear();
        let mut kol_spoke_today: Vec<u32> = Vec::new();
        let mut signups: Vec<(u32, usize)> = Vec::new();

        for idx in 0..self.members.len() {
            let mut mem = self.members[idx];
            let m = mem.id;
            let g = mem.group as usize;
            let gin = &inputs[g];
            let tenure = day - mem.joined;
            if mem.flags & MUTED != 0 {
                // M5: a muted member is still counted but gone in practice;
                // they only drift out, for the reason they muted, and do not
                // renew at the end of a cycle (S11).
                if today_s.cycle_end {
                    self.members[idx].cause = Cause::FeeNotRenewed as u8;
                    self.members[idx].flags |= LEAVING;
                } else if p.leave_on && lv.member(m).unit(0) < p.muted_leave {
                    self.members[idx].flags |= LEAVING;
                }
                continue;
            }
            let role = mem.role;
            let d_act = act.member(m);

            if role == Role::Owner as u8 {
                // R1: the owner posts the content and answers questions; never leaves.
                let speaks = content_today || d_act.unit(0) < p.speak[0];
                // The owner's messages count, but the owner is not counted
                // among active members: activity measures the members.
                if speaks {
                    today[g].messages += p.messages[0] as u64;
                    today[g].answerers += 1;
                }
                if p.invite_on {
                    self.invite(p, m, p.invite_rate * invite_mult, &inv, &acc, &mut row);
                }
                continue;
            }
            if mem.flags & KOL != 0 && today_s.kol_active {
                // S4, R6: a paid KOL stays keen, talks, answers and invites.
                let k = p.kol.as_ref().expect("KOL flag implies [kol]");
                mem.interest = 1.0;
                if d_act.unit(0) < k.speak {
                    today[g].messages += p.messages[Role::Expert as usize] as u64;
                    today[g].answerers += 1;
                    row.active += 1;
                    self.active_by_group[g] += 1;
                    mem.last_spoke = day;
                    kol_spoke_today.push(m);
                }
                if p.invite_on {
                    let t = mem.trust as f64;
                    self.invite(p, m, p.invite_rate * t * invite_mult, &inv, &acc, &mut row);
                }
                self.members[idx] = mem;
                continue;
            }

            let need = 1.0 - (1.0 - mem.explicit) * (1.0 - mem.latent);
            // 0. R5: a giveaway joiner's gift arrives; afterwards only their
            // need keeps them interested.
            if mem.flags & GIFT != 0 && day >= mem.gift_due {
                mem.flags &= !GIFT;
                row.cost += p.giveaways[mem.gift as usize].gift_cost;
                if p.interest_on {
                    mem.interest = mem.interest.min(need);
                }
            }

            // 1. Own state drifts: novelty fades (M4), value received is
            // forgotten, annoyance wears off.
            let mut i = mem.interest;
            let mut t = mem.trust;
            let mut s = mem.satisfaction * p.satisfaction_decay;
            let mut a = mem.annoyance * p.annoyance_decay;
            let follows_kol = !self.kol_seen.is_empty() && self.kol_seen[m as usize] > 0;
            if p.interest_on {
                i *= p.interest_decay;
                // A lively group is interesting up to the reader's capacity...
                i += gin.chat * (1.0 - i);
                // ...and beyond it the volume is a burden, worst for those
                // with little interest (Ren & Kraut).
                a += p.overload * (gin.volume_ratio as f32 - i).max(0.0);
                if follows_kol {
                    // R6: a KOL's posts keep their followers interested.
                    let k = p.kol.as_ref().expect("kol_seen implies [kol]");
                    i += k.follower_gain as f32 * (1.0 - i);
                }
                // S2: rewards raise interest and goodwill.
                i += today_s.reward_interest * (1.0 - i);
            }
            if p.trust_on {
                t += today_s.reward_trust * (1.0 - t);
            }
            // R4, S10: ads annoy, most of all members who do not need the product.
            a += gin.ads * (1.0 - need);
            // S10: every product push spends trust and annoys, most of all
            // members without a need for the product.
            if today_s.pushes > 0.0 {
                let k = p.selling.as_ref().expect("pushes imply [selling]");
                let burden = today_s.pushes * (1.0 - need);
                if p.trust_on {
                    t = (t - k.trust_cost as f32 * burden).max(0.0);
                }
                a += k.annoyance as f32 * burden;
            }

            // 2. Leader content (R1, S1): read with a chance that grows with
            // interest; it satisfies needs as far as its topics match them.
            if content_today && d_act.unit(1) < 0.5 + 0.5 * i as f64 {
                let before = t;
                if p.interest_on {
                    i += p.content_interest * (1.0 - i);
                }
                if p.trust_on {
                    t += p.content_trust * (1.0 - t);
                }
                s += p.content_satisfaction * p.topic_match * need * (1.0 - s);
                row.lesson_readers += 1;
                row.lesson_trust_gain += (t - before) as f64;
            }

            // 3. Speaking (R2): experts and askers carry the chat. S8:
            // check-ins are a small ritual of speaking.
            // Joyce & Kraut 2006: people post where others reply, so a quiet
            // group gets quieter.
            let spoke = d_act.unit(2) < p.speak[role as usize] * i as f64 * gin.talk;
            let mut checked_in = false;
            if today_s.checkin {
                let r = p.rituals.as_ref().expect("checkin implies [rituals]");
                if d_act.unit(4) < r.checkin_rate * i as f64 {
                    mem.streak = mem.streak.saturating_add(1);
                    checked_in = !spoke;
                } else {
                    mem.streak = 0;
                }
            }
            if checked_in {
                // A check-in is one plain message: no ad, no question.
                mem.last_spoke = day;
                today[g].messages += 1;
            }
            if spoke {
                let messages = p.messages[role as usize];
                mem.last_spoke = day;
                today[g].messages += messages as u64;
                if role == Role::Expert as u8 {
                    today[g].answerers += 1;
                } else if role == Role::Advertiser as u8 {
                    today[g].ads += messages as u64;
                    if mem.ad_since == 0 {
                        mem.ad_since = day + 1;
                    }
                } else if role == Role::Asker as u8 {
                    // S7: a question answered by members, or else by the
                    // operator's team (worth less the slower it comes), is
                    // value received and a reason to post again (Joyce &
                    // Kraut 2006).
                    let u = d_act.unit(3);
                    let gain = if u < gin.answered {
                        p.answer_gain
                    } else if today_s.service
                        && u < gin.answered
                            + (1.0 - gin.answered) * p.service.as_ref().expect("service").answer
                    {
                        p.answer_gain * p.service_speed
                    } else {
                        0.0
                    };
                    s += gain * (1.0 - s);
                    if p.interest_on {
                        i += gain * (1.0 - i);
                    }
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

            // 6. Conversion (M1): latent needs mature with tenure and trust;
            // a product push raises the chance that day (S10).
            if p.convert_on {
                let chance = p.convert_rate
                    * (mem.latent * t) as f64
                    * p.maturity[tenure as usize]
                    * today_s.conversion_mult;
                if cnv.member(m).unit(0) < chance {
                    row.purchases += 1;
                    row.revenue += p.price;
                    mem.latent *= 1.0 - p.satisfies;
                    mem.flags |= STAKE;
                }
            }

            // S6: sign up for today's offline event, more likely when keen.
            if today_s.event.is_some() && d_act.unit(5) < (i * t) as f64 {
                signups.push((d_act.bits(6) as u32, idx));
            }

            mem.interest = i;
            mem.trust = t;
            mem.satisfaction = s;
            mem.annoyance = a;
            // 7. Operator removals and renewals, then leaving or muting.
            let exit = if let Some(c) =
                self.operator_exit(p, &mem, day, today_s.cycle_end, &lv, &mut row)
            {
                Some((c, false))
            } else if p.leave_on {
                self.exit_decision(p, &mem, tenure, follows_kol, well_mixed_pressure, &lv)
            } else {
                None
            };
            match exit {
                None => {
                    if spoke || checked_in {
                        row.active += 1;
                        self.active_by_group[g] += 1;
                    }
                }
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

        if let Some(e) = today_s.event {
            self.hold_event(p, e, &mut signups, &mut row, day);
        }
        self.expose_kol_followers(kol_spoke_today);
        self.collect_joiners(p, day, &mut row);
        self.apply_joins(p, day, &mut row, referrals);
        self.finish_day(&mut row);
        today.resize(self.group_size.len(), Aggregates::default());
        for (g, n) in self.greetings.drain(..).enumerate() {
            today[g].messages += n;
        }
        row.messages = today.iter().map(|a| a.messages).sum();
        self.yesterday = today;
        row
    }

    /// S4: appoints the best-connected members (most friends; ties broken by
    /// the smaller id)
    /// as KOLs.
    fn appoint_kols(&mut self, p: &Params) {
        let k = p.kol.as_ref().expect("[kol]");
        let mut candidates: Vec<(usize, u32, usize)> = self
            .members
            .iter()
            .enumerate()
            .filter(|(_, m)| m.role != Role::Owner as u8 && m.flags & (MUTED | LEAVING) == 0)
            .map(|(i, m)| (self.graph.degree(m.id), m.id, i))
            .collect();
        candidates.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, _, i) in candidates.iter().take(k.count as usize) {
            self.members[i].flags |= KOL;
            self.members[i].role = Role::Expert as u8;
        }
        self.kols_appointed = true;
    }

    /// S4: yesterday's KOL posts reach their friends today.
    fn expose_kol_followers(&mut self, spoke: Vec<u32>) {
        if self.kol_seen.is_empty() {
            return;
        }
        for &k in &self.kol_spoke {
            for &w in self.graph.neighbors(k) {
                self.kol_seen[w as usize] = 0;
            }
        }
        for &k in &spoke {
            for &w in self.graph.neighbors(k) {
                self.kol_seen[w as usize] = self.kol_seen[w as usize].saturating_add(1);
            }
        }
        self.kol_spoke = spoke;
    }

    /// S6: the event takes the first `capacity` sign-ups in hash order;
    /// attendees gain trust and interest and some become friends.
    fn hold_event(
        &mut self,
        p: &Params,
        e: usize,
        signups: &mut [(u32, usize)],
        row: &mut DayRow,
        day: u32,
    ) {
        let ev = &p.events[e];
        signups.sort_unstable();
        // Members who muted or are leaving today do not come.
        let attendees: Vec<usize> = signups
            .iter()
            .map(|&(_, i)| i)
            .filter(|&i| self.members[i].flags & (MUTED | LEAVING) == 0)
            .take(ev.capacity as usize)
            .collect();
        row.cost += ev.cost + ev.cost_per_attendee * attendees.len() as f64;
        for &i in &attendees {
            let m = &mut self.members[i];
            let before = m.trust;
            if p.trust_on {
                m.trust += ev.trust_gain as f32 * (1.0 - m.trust);
            }
            if p.interest_on {
                m.interest += ev.interest_gain as f32 * (1.0 - m.interest);
            }
            row.event_attendees += 1;
            row.event_trust_gain += (m.trust - before) as f64;
        }
        if ev.tie_probability > 0.0 {
            let d = self.key.day(Purpose::Activity, day);
            for a in 0..attendees.len() {
                for b in a + 1..attendees.len() {
                    let (x, y) = (self.members[attendees[a]].id, self.members[attendees[b]].id);
                    if d.member(x.min(y)).unit(1000 + x.max(y) as u64) < ev.tie_probability {
                        self.event_ties.entry(x).or_default().push(y);
                        self.event_ties.entry(y).or_default().push(x);
                        if !self.friends_in.is_empty() {
                            self.friends_in[x as usize] += 1;
                            self.friends_in[y as usize] += 1;
                        }
                    }
                }
            }
        }
    }

    /// S9, S11: removal by moderators and renewal at the end of a cycle.
    fn operator_exit(
        &self,
        p: &Params,
        mem: &Member,
        day: u32,
        cycle_end: bool,
        lv: &crate::rng::DayStream,
        row: &mut DayRow,
    ) -> Option<Cause> {
        if let Some(md) = &p.moderation {
            // Advertisers are removed once they have posted ads for ad_delay days.
            // Removal comes ad_delay days after the first ad (0: that day).
            if mem.ad_since > 0 && day + 1 - mem.ad_since >= md.ad_delay {
                return Some(Cause::Removed);
            }
            if cycle_end && md.inactive_days > 0 && day - mem.last_spoke >= md.inactive_days {
                return Some(Cause::Removed);
            }
        }
        if cycle_end {
            let c = p.cycle.as_ref().expect("cycle_end implies [cycle]");
            let value = ((mem.satisfaction + mem.trust) / 2.0) as f64;
            let renew = c.renew_base + c.renew_weight * value;
            if lv.member(mem.id).unit(3) >= renew {
                return Some(Cause::FeeNotRenewed);
            }
            if let Some(f) = &p.fee {
                row.revenue += f.renewal;
            }
        }
        None
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
        let sure = p.accept * (1.0 - self.need_match);
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
                        u < p.accept * (1.0 - self.need_match + self.need_match * need)
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
        follows_kol: bool,
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
        // M4: novelty fades for everyone; what keeps a member is the group
        // solving their problems (satisfaction), and a check-in habit (S8).
        let streak = p
            .rituals
            .as_ref()
            .map_or(1.0, |r| 1.0 + r.streak_weight * mem.streak as f64);
        let h_boredom = p.base_hazard + p.boredom * bored * bored * (1.0 - s as f64) / streak;
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
        let mut scale = if mem.flags & STAKE != 0 {
            p.stake_factor
        } else {
            1.0
        };
        if mem.flags & PAID != 0 {
            // M6: sunk cost.
            scale *= p.fee.as_ref().map_or(1.0, |f| f.paid_factor);
        }
        if follows_kol {
            // R6: a KOL holds their followers in the group.
            scale *= p.kol.as_ref().map_or(1.0, |k| k.hold);
        }
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
        // Gift seekers have no tie to keep a muted group for: they leave (R5).
        let mute = matches!(cause, Cause::Boredom | Cause::Annoyance)
            && mem.flags & GIFT_JOINER == 0
            && d.unit(2) < p.mute_share;
        Some((cause, mute))
    }

    /// Settles who joins today: accepted invitations (graph), then channel
    /// candidates and well-mixed word of mouth drawn from the outsider pool.
    fn collect_joiners(&mut self, p: &Params, day: u32, row: &mut DayRow) {
        self.joiners.clear();
        // Invitations: one inviter per invitee, the smallest key.
        self.pending.sort_unstable();
        let mut last = u32::MAX;
        for k in 0..self.pending.len() {
            let (f, _, by) = self.pending[k];
            if f != last {
                last = f;
                // S5: an invitee who will not pay the fee declines.
                if self.admits(p, f) {
                    self.status[f as usize] = JOINING;
                    self.joiners.push((f, Source::Referral(by)));
                }
            }
        }
        let active: Vec<usize> = (0..p.channels.len())
            .filter(|&c| p.channels[c].schedule.contains(day))
            .collect();
        let giveaways: Vec<usize> = (0..p.giveaways.len())
            .filter(|&g| p.giveaways[g].schedule.contains(day))
            .collect();
        let wom = if p.well_mixed && p.invite_on {
            p.contacts * self.inviters.len() as f64 / p.n as f64
        } else {
            0.0
        };
        if active.is_empty() && giveaways.is_empty() && wom == 0.0 {
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
                    && self.admits(p, v)
                {
                    self.status[v as usize] = JOINING;
                    self.joiners.push((v, Source::Channel(c as u16)));
                }
            }
        }
        // Giveaways (S2, R5): reach outsiders like a volume channel, but the
        // gift lures them whatever their needs.
        for &gi in &giveaways {
            let gv = &p.giveaways[gi];
            let whole = gv.reach.floor();
            let k = whole as usize + (rng.random::<f64>() < gv.reach - whole) as usize;
            for _ in 0..k.min(avail) {
                let v = draw(&mut self.pool, &mut self.pool_pos, &mut avail, &mut rng);
                let u: f64 = rng.random();
                // The gift lures people for whom the group itself is worth
                // little: acceptance appeal × (1 − need) (R5).
                if self.status[v as usize] == OUTSIDER
                    && u < gv.appeal * (1.0 - self.need(p, v))
                    && self.admits(p, v)
                {
                    self.status[v as usize] = JOINING;
                    self.joiners.push((v, Source::Giveaway(gi as u16)));
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
                    let accept =
                        p.accept * (1.0 - self.need_match + self.need_match * self.need(p, v));
                    if u < accept {
                        source = Some(Source::Referral(by));
                    }
                }
                if let (Some(src), OUTSIDER, true) =
                    (source, self.status[v as usize], self.admits(p, v))
                {
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

/// What one group's members read from yesterday.
struct GroupInputs {
    volume_ratio: f64,
    chat: f32,
    ads: f32,
    /// Chance that a question is answered by members.
    answered: f64,
    /// Speaking multiplier from yesterday's conversation.
    talk: f64,
}

impl GroupInputs {
    fn new(p: &Params, y: &Aggregates, size: u32) -> GroupInputs {
        let volume_ratio = y.messages as f64 / p.capacity;
        GroupInputs {
            volume_ratio,
            chat: p.chat_gain * volume_ratio.min(1.0) as f32,
            ads: y.ads as f32 * p.ad_annoyance,
            answered: 1.0 - (1.0 - p.answer_rate).powi(y.answerers as i32),
            talk: if p.conversation > 0.0 {
                let per_member = y.messages as f64 / size.max(1) as f64;
                p.spontaneous + (1.0 - p.spontaneous) * (per_member / p.conversation).min(1.0)
            } else {
                1.0
            },
        }
    }
}

/// Which strategies act today, and their day-level numbers (costs are
/// booked here).
struct Today {
    invite_mult: f64,
    reward_interest: f32,
    reward_trust: f32,
    pushes: f32,
    conversion_mult: f64,
    service: bool,
    checkin: bool,
    kol_active: bool,
    cycle_end: bool,
    event: Option<usize>,
}

impl Today {
    fn new(p: &Params, w: &World, day: u32, content_today: bool, row: &mut DayRow) -> Today {
        let mut invite_mult = if content_today { p.invite_boost } else { 1.0 };
        if let Some(r) = p
            .referral_reward
            .as_ref()
            .filter(|r| r.schedule.contains(day))
        {
            invite_mult *= r.invite_boost;
        }
        // S2: the perceived value of today's rewards. A lottery's few prizes
        // are weighted by how likely winning feels, w(p) > p for small p.
        let members = w.members.len().max(1) as f64;
        let (mut ri, mut rt) = (0.0f64, 0.0f64);
        for r in p.rewards.iter().filter(|r| r.schedule.contains(day)) {
            row.cost += r.budget;
            let v = match r.kind {
                RewardKind::Fixed => r.budget / members,
                RewardKind::Lottery => {
                    let chance = (r.winners as f64 / members).min(1.0);
                    probability_weight(chance) * r.budget / r.winners as f64
                }
            };
            let response = v / (v + r.reference);
            ri = 1.0 - (1.0 - ri) * (1.0 - r.interest_gain * response);
            rt = 1.0 - (1.0 - rt) * (1.0 - r.trust_gain * response);
        }
        let pushes = p
            .selling
            .as_ref()
            .filter(|x| x.schedule.contains(day))
            .map_or(0.0, |x| x.pushes as f64);
        let conversion_mult = p
            .selling
            .as_ref()
            .map_or(1.0, |x| 1.0 + (x.conversion_boost - 1.0).max(0.0) * pushes);
        if let Some(x) = &p.selling {
            row.cost += x.cost * pushes;
        }
        let service = p.service.as_ref().is_some_and(|v| v.schedule.contains(day));
        if service {
            row.cost += p.service.as_ref().expect("service").cost_per_day;
        }
        let checkin = p
            .rituals
            .as_ref()
            .is_some_and(|r| r.checkins && r.checkin.contains(day));
        if let Some(r) = &p.rituals {
            row.cost += r.cost_per_day;
        }
        if let Some(m) = &p.moderation {
            row.cost += m.cost_per_day;
        }
        let kol_active = p.kol.as_ref().is_some_and(|k| k.schedule.contains(day));
        if kol_active {
            let k = p.kol.as_ref().expect("kol");
            let kols = w.members.iter().filter(|m| m.flags & KOL != 0).count();
            let kols = if w.kols_appointed {
                kols
            } else {
                k.count as usize
            };
            row.cost += k.pay_per_day * kols as f64;
        }
        let cycle_end = p.cycle.as_ref().is_some_and(|c| day % c.length == 0);
        let event = p.events.iter().position(|e| e.schedule.contains(day));
        Today {
            invite_mult,
            reward_interest: ri as f32,
            reward_trust: rt as f32,
            pushes: pushes as f32,
            conversion_mult,
            service,
            checkin,
            kol_active,
            cycle_end,
            event,
        }
    }
}
