export {
  createCalendar,
  NEVER,
  SEARCH_HORIZON_DAYS,
  type BusinessCalendar,
  type CalendarSettings,
  type TimeOfDay,
} from './calendar';
export {
  readCalendarSettings,
  type CalendarEnv,
  type ReadTextFile,
} from './read-calendar-settings';
export { parseClosedDatesFile } from './closed-dates-file';
export { DEFAULT_CLOSED_DATES } from './data/england-wales-bank-holidays';
