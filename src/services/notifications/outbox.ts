/** The outbox reader lives in the platform (the HL7 sender reads it too). */
export * from "../../platform/outbox.js";
