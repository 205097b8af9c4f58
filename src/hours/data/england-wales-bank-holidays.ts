/**
 * Bank holidays in England and Wales for 2026 to 2028, with the substitute weekday used when a
 * holiday falls on a weekend. This is the shipped default; BUSINESS_CLOSED_DATES_FILE replaces it.
 *
 * The list ends on 2028-12-26. From 2029 on, bank holidays count as working days until this table
 * (or the operator's file) is extended, so requests on those days would be treated as in hours.
 * Special one-off holidays proclaimed later are not here either; add them with
 * BUSINESS_EXTRA_CLOSED_DATES.
 */
export const DEFAULT_CLOSED_DATES: ReadonlyArray<{ readonly date: string; readonly name: string }> =
  Object.freeze(
    [
      { date: '2026-01-01', name: "New Year's Day" },
      { date: '2026-04-03', name: 'Good Friday' },
      { date: '2026-04-06', name: 'Easter Monday' },
      { date: '2026-05-04', name: 'Early May bank holiday' },
      { date: '2026-05-25', name: 'Spring bank holiday' },
      { date: '2026-08-31', name: 'Summer bank holiday' },
      { date: '2026-12-25', name: 'Christmas Day' },
      { date: '2026-12-28', name: 'Boxing Day (substitute day)' },

      { date: '2027-01-01', name: "New Year's Day" },
      { date: '2027-03-26', name: 'Good Friday' },
      { date: '2027-03-29', name: 'Easter Monday' },
      { date: '2027-05-03', name: 'Early May bank holiday' },
      { date: '2027-05-31', name: 'Spring bank holiday' },
      { date: '2027-08-30', name: 'Summer bank holiday' },
      { date: '2027-12-27', name: 'Christmas Day (substitute day)' },
      { date: '2027-12-28', name: 'Boxing Day (substitute day)' },

      { date: '2028-01-03', name: "New Year's Day (substitute day)" },
      { date: '2028-04-14', name: 'Good Friday' },
      { date: '2028-04-17', name: 'Easter Monday' },
      { date: '2028-05-01', name: 'Early May bank holiday' },
      { date: '2028-05-29', name: 'Spring bank holiday' },
      { date: '2028-08-28', name: 'Summer bank holiday' },
      { date: '2028-12-25', name: 'Christmas Day' },
      { date: '2028-12-26', name: 'Boxing Day' },
    ].map((entry) => Object.freeze(entry)),
  );
