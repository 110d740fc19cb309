/** Appointments as the no-show model reads them (scheduling's `visitHistory`). */

/** One appointment with what its patient did before it. */
export interface VisitFacts {
  id: string;
  patientId: string;
  physicianId: string;
  locationId: string;
  appointmentTypeId: string;
  start: Date;
  bookedAt: Date;
  status: string;
  telehealth: boolean;
  /** The patient's no-shows and cancellations among appointments that started before this one. */
  priorNoShows: number;
  priorCancellations: number;
}

/** One appointment as the reports read it (scheduling's `visitHistory.reportFacts`). */
export interface ReportFacts {
  id: string;
  patientId: string;
  physicianId: string;
  locationId: string;
  appointmentTypeId: string;
  specialty: string;
  start: Date;
  end: Date;
  bookedAt: Date;
  status: string;
  cancelReason: string | null;
  cancelledAt: Date | null;
  checkedInAt: Date | null;
  startedAt: Date | null;
  /** The location of the appointment this one replaced (rescheduled from), if any. */
  previousLocationId: string | null;
  /**
   * For a follow-up visit: the location of the patient's last completed visit of the same
   * specialty before it (where they are followed up from), if any.
   */
  followedUpFromLocationId: string | null;
}

/** A completed appointment as billing turns it into a charge. */
export interface CompletedVisit {
  id: string;
  patientId: string;
  physicianId: string;
  locationId: string;
  appointmentTypeId: string;
  start: Date;
  end: Date;
  telehealth: boolean;
}
