// Reads an .ics file with Mozilla's ical.js (the parser of Thunderbird) and
// prints, as JSON, what a client would show for every event: its UID, summary,
// start and end (UTC ISO instants for timed events, YYYY-MM-DD for dates),
// and any alarm trigger. Every VTIMEZONE is registered first, as the
// ICS profile asks, so zone-bound times would be read as a client reads them.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
const root = new ICAL.Component(ICAL.parse(text));
for (const zone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}
const show = (time) => (time.isDate ? time.toString() : time.toJSDate().toISOString());
const events = root.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  const alarm = component.getFirstSubcomponent("valarm");
  return {
    uid: event.uid,
    summary: event.summary,
    description: event.description,
    start: show(event.startDate),
    end: show(event.endDate),
    allDay: event.startDate.isDate,
    trigger: alarm ? alarm.getFirstPropertyValue("trigger").toString() : null,
  };
});
process.stdout.write(JSON.stringify({ name: root.getFirstPropertyValue("x-wr-calname"), events }));
