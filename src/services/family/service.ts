/**
 * Family scheduling: a guardian (or anyone who may book for each member) searches for several
 * members at once and gets trips — every member seen at one location on one day, back to back or
 * side by side — then holds or books a trip's appointments together, all or none. Searches are
 * each member's own availability search; holds and bookings are scheduling's booking path for a
 * group. This module owns no table.
 */
import { Temporal } from "temporal-polyfill";
import type { Actor } from "../../platform/access.js";
import type { Executor } from "../../platform/db.js";
import { ProblemError, problems } from "../../platform/errors.js";
import type { ServiceDeps } from "../../platform/module.js";
import { type PatientAction, patient } from "../../platform/policy.js";
import type { Appointments, AvailabilityQuery, OptionIds, SlotOptionDto } from "../scheduling/index.js";
import type {
  FamilyAppointments,
  FamilyBookInput,
  FamilyHoldInput,
  FamilySearchInput,
  FamilySearchResult,
  FamilyTrip,
} from "./schema.js";
import { MAX_WINDOW_DAYS } from "./schema.js";
import { createTripIds, type TripMember } from "./trip-id.js";
import { findTrips, fitsOneTrip, type MemberOption, type Trip } from "./trips.js";

const DAY = 86_400_000;
/** Options read per member: enough for several locations' days, bounded for the trip search. */
const OPTIONS_PER_MEMBER = 200;

export interface FamilyDeps extends ServiceDeps {
  /** Each member's search, and the booking path for a group. */
  appointments: Pick<Appointments, "searchAvailability" | "holdTogether" | "bookTogether">;
  /** Opens the options a client sends back, to check they still make one trip. */
  optionIds: OptionIds;
  /** The option-signing key: trip ids are signed with it under their own domain. */
  tripKey: Uint8Array;
  locations: { lookup: { timeZones(db: Executor, ids: string[]): Promise<Map<string, string>> } };
}

/** A member's option as the trip search sees it, keeping the option as the member's search answered it. */
type Candidate = MemberOption & { dto: SlotOptionDto };

const memberField = (i: number, name: string) => `body.members.${i}.${name}`;

/** A member search's refusal, naming the family request's field instead of the search's query field. */
function asMemberProblem(err: unknown, i: number): unknown {
  if (!(err instanceof ProblemError) || err.constructor !== ProblemError) return err;
  const shared = ["from", "to", "locationIds"];
  const errors = err.errors.map((e) => {
    const name = e.field.replace(/^query\./, "");
    if (name === e.field) return e;
    return { ...e, field: shared.includes(name) ? `body.${name}` : memberField(i, name) };
  });
  return new ProblemError(err.status, err.code, err.message, errors, err.extra);
}

export function createFamily({
  db,
  clock,
  policies,
  appointments,
  optionIds,
  tripKey,
  locations,
}: FamilyDeps) {
  const tripIds = createTripIds(tripKey);

  /** Every member must be one the caller may do this for: refused members answer 404 on their field. */
  async function authorizeMembers(
    actor: Actor,
    members: ReadonlyArray<{ patientId: string }>,
    action: Extract<PatientAction, "search_for" | "book">,
  ) {
    await db.transaction().execute(async (tx) => {
      for (const [i, m] of members.entries())
        await policies.authorize(tx, actor, action, patient(m.patientId, memberField(i, "patientId")));
    });
  }

  /**
   * The trip's options, opened and re-checked as one trip: the signature must cover exactly these
   * members and options, each option must be this server's and current, and together they must
   * still be one trip at one location on one local day.
   */
  async function checkTrip(tripId: string, members: readonly TripMember[]) {
    const opened = tripIds.open(tripId, members);
    if (!opened.ok && opened.problem === "expired")
      throw new ProblemError(
        409,
        "trip_expired",
        "This trip was offered too long ago; search again",
        [{ field: "body.tripId", message: "search again for current trips" }],
        { reason: "trip_expired" },
      );
    if (!opened.ok)
      throw problems.invalid(
        "body.tripId",
        "not a trip this server offered for these members and options",
        "trip_invalid",
      );
    const options = members.map((m, i) => {
      const o = optionIds.open(m.optionId);
      if (!o.ok && o.problem === "expired")
        throw new ProblemError(
          409,
          "option_expired",
          "This option was offered too long ago; search again for current times",
          [{ field: memberField(i, "optionId"), message: "search again for current times" }],
          { reason: "option_expired" },
        );
      if (!o.ok)
        throw problems.invalid(
          memberField(i, "optionId"),
          "not an option id this server issued",
          "option_invalid",
        );
      return o.option;
    });
    if (options.some((o) => o.telehealth))
      throw problems.invalid(
        "body.members",
        "a family trip is in person; a video visit is booked on its own",
      );
    const zones = await locations.lookup.timeZones(db, [...new Set(options.map((o) => o.locationId))]);
    const asMembers: MemberOption[] = options.map((o, i) => ({
      id: members[i]!.optionId,
      start: o.start,
      end: o.end,
      physicianId: o.physicianId,
      locationId: o.locationId,
      day: Temporal.Instant.fromEpochMilliseconds(o.start)
        .toZonedDateTimeISO(zones.get(o.locationId) ?? "UTC")
        .toPlainDate()
        .toString(),
      distanceKm: null,
      rank: 0,
    }));
    if (!fitsOneTrip(asMembers, opened.maxGapMinutes))
      throw problems.invalid("body.members", "these options do not make one trip");
  }

  function toTrip(trip: Trip<Candidate>, patientIds: string[], maxGapMinutes: number): FamilyTrip {
    const members = trip.options.map((o, i) => ({ patientId: patientIds[i]!, option: o.dto }));
    const first = trip.options.reduce((a, b) => (b.start < a.start ? b : a));
    return {
      id: tripIds.issue(
        members.map((m) => ({ patientId: m.patientId, optionId: m.option.id })),
        maxGapMinutes,
      ),
      locationId: trip.locationId,
      locationName: first.dto.locationName,
      start: new Date(trip.start).toISOString(),
      end: new Date(trip.end).toISOString(),
      local: { date: first.dto.local.date, time: first.dto.local.time, timeZone: first.dto.local.timeZone },
      minutesAtLocation: Math.round((trip.end - trip.start) / 60_000),
      distanceKm: trip.distanceKm,
      members,
    };
  }

  return {
    /** Trips for the members' needs, best first; each member's search is audited as theirs. */
    async search(actor: Actor, input: FamilySearchInput): Promise<FamilySearchResult> {
      const from = input.from ? Date.parse(input.from) : clock.now().getTime();
      const to = input.to ? Date.parse(input.to) : from + 7 * DAY;
      if (to <= from) throw problems.invalid("body.to", "must be after from");
      // a window of whole local days may be an hour longer across a clock change
      if (to - from > MAX_WINDOW_DAYS * DAY + DAY / 24)
        throw problems.invalid("body.to", `a family search spans at most ${MAX_WINDOW_DAYS} days`);
      await authorizeMembers(actor, input.members, "search_for");
      const perMember = await Promise.all(
        input.members.map(async (m, i): Promise<Candidate[]> => {
          const query: AvailabilityQuery = {
            appointmentTypeId: m.appointmentTypeId,
            specialty: m.specialty,
            physicianId: m.physicianId,
            from: new Date(from).toISOString(),
            to: new Date(to).toISOString(),
            locationIds: input.locationIds,
            patientId: m.patientId,
            telehealth: false,
            stepFree: m.stepFree,
            language: m.language,
            limit: OPTIONS_PER_MEMBER,
          };
          const result = await appointments.searchAvailability(actor, query).catch((err: unknown) => {
            throw asMemberProblem(err, i);
          });
          // a trip is one journey: video visits and virtual locations are not part of it
          return result.options
            .filter((o) => !o.telehealth && o.locationKind !== "virtual")
            .map((o, rank) => ({
              id: o.id,
              start: Date.parse(o.start),
              end: Date.parse(o.end),
              physicianId: o.physicianId,
              locationId: o.locationId,
              day: o.local.date,
              distanceKm: o.distanceKm,
              rank,
              dto: o,
            }));
        }),
      );
      const trips = findTrips(perMember, { maxGapMinutes: input.maxGapMinutes, limit: input.limit });
      const patientIds = input.members.map((m) => m.patientId);
      return {
        trips: trips.map((t) => toTrip(t, patientIds, input.maxGapMinutes)),
        searched: {
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          maxGapMinutes: input.maxGapMinutes,
          members: perMember.map((options, i) => ({ patientId: patientIds[i]!, options: options.length })),
        },
      };
    },

    /** Holds every member's option of the trip together, or none (409 naming the member's option). */
    async hold(actor: Actor, input: FamilyHoldInput): Promise<FamilyAppointments> {
      await authorizeMembers(actor, input.members, "book");
      await checkTrip(input.tripId, input.members);
      const held = await appointments.holdTogether(
        actor,
        input.members.map((m, i) => ({
          patientId: m.patientId,
          optionId: m.optionId,
          patientField: memberField(i, "patientId"),
          optionField: memberField(i, "optionId"),
        })),
      );
      return { appointments: held };
    },

    /** Books the trip's options, or the members' holds of it, together, or none. */
    async book(actor: Actor, input: FamilyBookInput): Promise<FamilyAppointments> {
      await authorizeMembers(actor, input.members, "book");
      if (input.members[0]?.holdId !== undefined) {
        const booked = await appointments.bookTogether(
          actor,
          {
            holds: input.members.map((m, i) => ({
              patientId: m.patientId,
              holdId: m.holdId!,
              holdField: memberField(i, "holdId"),
            })),
          },
          input.reason,
        );
        return { appointments: booked };
      }
      const members = input.members.map((m) => ({ patientId: m.patientId, optionId: m.optionId! }));
      await checkTrip(input.tripId!, members);
      const booked = await appointments.bookTogether(
        actor,
        {
          options: members.map((m, i) => ({
            ...m,
            patientField: memberField(i, "patientId"),
            optionField: memberField(i, "optionId"),
          })),
        },
        input.reason,
      );
      return { appointments: booked };
    },
  };
}

export type Family = ReturnType<typeof createFamily>;
