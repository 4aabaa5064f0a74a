//! The operator's money and time (MODEL.md §9.1, issue 10).
//!
//! Every strategy draws on the operator's funds and weekly hours per use. A
//! use paid at the start of the day (a lesson, a talk, a day of service or
//! moderation, a reward, a KOL's pay, an event) is made only when both are
//! there, in the order of `operator.priority`, so the last levers stop
//! first. Uses paid as they happen (a referral reward or a channel's price
//! per join, an event's attendees, the team's time per answer) run while
//! money (or hours) remain at the start of the day; their spending can take
//! the funds below zero by at most that day's amount, after which they
//! stop. Revenue goes back into the funds at `operator.reinvest`.

use super::params::Params;
use super::DayRow;

/// The operator's purse: funds and this week's hours.
#[derive(Debug, Clone)]
pub struct Purse {
    /// Money now, before today's spending (`inf`: unlimited).
    pub funds: f64,
    /// Hours left this week (`inf`: unlimited).
    pub hours_left: f64,
    /// First day a use could not be paid for lack of money.
    pub funds_out_day: Option<u32>,
    day: u32,
}

impl Purse {
    pub fn new(p: &Params) -> Purse {
        Purse {
            funds: p.funds,
            hours_left: p.hours_per_week,
            funds_out_day: None,
            day: 0,
        }
    }

    /// A new day; weeks start on days 1, 8, 15, … (launch day 0 belongs to
    /// the first).
    pub fn start_day(&mut self, p: &Params, day: u32) {
        self.day = day;
        if day % 7 == 1 {
            self.hours_left = p.hours_per_week;
        }
    }

    fn money_left(&self, row: &DayRow) -> f64 {
        self.funds - row.cost
    }

    fn short_of_money(&mut self) -> bool {
        if self.funds_out_day.is_none() {
            self.funds_out_day = Some(self.day);
        }
        false
    }

    /// Pays for one use made now: `money` and `hours`, both or neither.
    pub fn pay(&mut self, money: f64, hours: f64, row: &mut DayRow) -> bool {
        if money > 0.0 && money > self.money_left(row) + 1e-9 {
            return self.short_of_money();
        }
        if hours > 0.0 && hours > self.hours_left + 1e-9 {
            return false;
        }
        row.cost += money;
        row.hours_used += hours;
        self.hours_left -= hours;
        true
    }

    /// Whether a use paid as it happens at `per_use` may run today: some
    /// money is left (always, when it costs nothing).
    pub fn can_run(&mut self, per_use: f64, row: &DayRow) -> bool {
        per_use <= 0.0 || self.money_left(row) > 0.0 || self.short_of_money()
    }

    /// Whether `hours` are left this week.
    pub fn has_hours(&self, hours: f64) -> bool {
        Purse::enough_hours(self.hours_left, hours)
    }

    /// Whether `hours` can be taken from `left` hours (the day's loop keeps
    /// its own count of what is left, [`super::day::Tally`]).
    pub fn enough_hours(left: f64, hours: f64) -> bool {
        hours <= 0.0 || left + 1e-9 >= hours
    }

    /// Books the day: revenue goes back at `reinvest`, spending comes off.
    pub fn end_day(&mut self, p: &Params, row: &mut DayRow) {
        row.reinvested = p.reinvest * row.revenue;
        self.funds += row.reinvested - row.cost;
        row.funds = self.funds;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn purse(funds: f64, hours: f64) -> Purse {
        Purse {
            funds,
            hours_left: hours,
            funds_out_day: None,
            day: 3,
        }
    }

    #[test]
    fn a_use_is_paid_in_full_or_not_at_all() {
        let mut w = purse(10.0, 2.0);
        let mut row = DayRow::default();
        assert!(w.pay(6.0, 1.0, &mut row));
        assert!(!w.pay(6.0, 0.0, &mut row), "only 4 left");
        assert_eq!(w.funds_out_day, Some(3));
        assert!(!w.pay(1.0, 1.5, &mut row), "hours short");
        assert_eq!((row.cost, row.hours_used), (6.0, 1.0));
        assert!(w.pay(4.0, 1.0, &mut row));
        assert!(!w.can_run(1.0, &row));
        assert!(w.can_run(0.0, &row));
    }

    #[test]
    fn unlimited_funds_never_run_out() {
        let mut w = purse(f64::INFINITY, f64::INFINITY);
        let mut row = DayRow::default();
        assert!(w.pay(1e12, 1e6, &mut row));
        assert!(w.can_run(1e12, &row));
        assert_eq!(w.funds_out_day, None);
    }
}
