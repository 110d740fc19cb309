/**
 * The worklist's DICOM server (dcmjs-dimse): one association per connection. The association is
 * accepted only for a known called AE title (the network's or a location's) and a registered
 * station as the calling AE title, with the Verification, Modality Worklist Find and MPPS
 * presentation contexts in little-endian transfer syntaxes. Each C-FIND is answered with one
 * pending response per entry, then success; MPPS N-CREATE and N-SET move the appointment.
 */
import type { AddressInfo, Server as NetServer, Socket } from "node:net";
import dimse from "dcmjs-dimse";
import type { FastifyBaseLogger } from "fastify";
import type { Admission, Peer } from "./directory.js";
import type { MppsOutcome } from "./mpps.js";

const { Dataset, Scp, Server, log: dimseLog } = dimse;
const { CEchoResponse, CFindResponse, NCreateResponse, NSetResponse } = dimse.responses;
const {
  Status,
  PresentationContextResult,
  RejectResult,
  RejectSource,
  RejectReason,
  SopClass,
  TransferSyntax,
} = dimse.constants;

type Elements = Record<string, unknown>;

/** What the server asks of the adapter. */
export interface WorklistHandler {
  admit(calling: string, called: string, address: string): Promise<Admission>;
  find(peer: Peer, identifier: Elements): Promise<Elements[]>;
  create(peer: Peer, sopInstanceUid: string, dataset: Elements): Promise<MppsOutcome>;
  set(peer: Peer, sopInstanceUid: string, dataset: Elements): Promise<MppsOutcome>;
}

export interface WorklistServer {
  port: number;
  close(): Promise<void>;
}

const ACCEPTED = new Set([
  SopClass.Verification,
  SopClass.ModalityWorklistInformationModelFind,
  SopClass.ModalityPerformedProcedureStep,
]);
const SYNTAXES = new Set([TransferSyntax.ImplicitVRLittleEndian, TransferSyntax.ExplicitVRLittleEndian]);

/** Starts the server on the port (0: any free one) on all interfaces: modalities are other hosts. */
export async function startWorklistServer(
  port: number,
  handler: WorklistHandler,
  log: FastifyBaseLogger,
): Promise<WorklistServer> {
  // the library's own logger would print every PDU; failures are logged here
  dimseLog.setLevel("silent");

  class WorklistScp extends Scp {
    private peer: Peer | undefined;
    private readonly address: string;

    constructor(socket: Socket, opts?: ConstructorParameters<typeof Scp>[1]) {
      super(socket, opts);
      this.address = `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}`;
    }

    override associationRequested(
      association: Parameters<InstanceType<typeof Scp>["associationRequested"]>[0],
    ) {
      const calling = association.getCallingAeTitle();
      const called = association.getCalledAeTitle();
      handler
        .admit(calling, called, this.address)
        .then((admission) => {
          if (!admission.ok) {
            log.warn(
              { calling, called, peer: this.address },
              `DICOM association rejected: unknown ${admission.reason} AE title`,
            );
            this.sendAssociationReject(
              RejectResult.Permanent,
              RejectSource.ServiceUser,
              admission.reason === "called"
                ? RejectReason.CalledAeNotRecognized
                : RejectReason.CallingAeNotRecognized,
            );
            return;
          }
          this.peer = admission.peer;
          for (const c of association.getPresentationContexts()) {
            const context = association.getPresentationContext(c.id);
            if (!ACCEPTED.has(context.getAbstractSyntaxUid())) {
              context.setResult(PresentationContextResult.RejectAbstractSyntaxNotSupported);
              continue;
            }
            const syntax = context.getTransferSyntaxUids().find((s) => SYNTAXES.has(s));
            if (syntax) context.setResult(PresentationContextResult.Accept, syntax);
            else context.setResult(PresentationContextResult.RejectTransferSyntaxesNotSupported);
          }
          this.sendAssociationAccept();
        })
        .catch((err: unknown) => {
          log.error({ err, calling, called }, "DICOM association could not be checked");
          this.sendAssociationReject(
            RejectResult.Transient,
            RejectSource.ServiceUser,
            RejectReason.NoReasonGiven,
          );
        });
    }

    override associationReleaseRequested() {
      this.sendAssociationReleaseResponse();
    }

    override cEchoRequest(
      request: Parameters<InstanceType<typeof Scp>["cEchoRequest"]>[0],
      callback: Parameters<InstanceType<typeof Scp>["cEchoRequest"]>[1],
    ) {
      const response = CEchoResponse.fromRequest(request);
      response.setStatus(Status.Success);
      callback(response);
    }

    override cFindRequest(
      request: Parameters<InstanceType<typeof Scp>["cFindRequest"]>[0],
      callback: Parameters<InstanceType<typeof Scp>["cFindRequest"]>[1],
    ) {
      const done = (status: number, comment?: string) => {
        const last = CFindResponse.fromRequest(request);
        last.setStatus(status);
        if (comment) last.setErrorComment(comment);
        return last;
      };
      if (!this.peer || request.getAffectedSopClassUid() !== SopClass.ModalityWorklistInformationModelFind) {
        callback([done(0x0122)]);
        return;
      }
      handler
        .find(this.peer, request.getDataset()?.getElements() ?? {})
        .then((identifiers) => {
          const pending = identifiers.map((elements) => {
            const r = CFindResponse.fromRequest(request);
            r.setDataset(new Dataset(elements));
            r.setStatus(Status.Pending);
            return r;
          });
          callback([...pending, done(Status.Success)]);
        })
        .catch((err: unknown) => {
          const refused = err instanceof Error && err.name === "WorklistRefusal";
          if (!refused) log.error({ err }, "DICOM worklist query failed");
          // 0xA900: identifier does not match SOP class; 0xC000: unable to process
          callback([
            done(refused ? 0xa900 : 0xc000, refused ? err.message.slice(0, 64) : "unable to process"),
          ]);
        });
    }

    override nCreateRequest(
      request: Parameters<InstanceType<typeof Scp>["nCreateRequest"]>[0],
      callback: Parameters<InstanceType<typeof Scp>["nCreateRequest"]>[1],
    ) {
      this.mpps(
        () =>
          handler.create(
            this.peer!,
            request.getAffectedSopInstanceUid(),
            request.getDataset()?.getElements() ?? {},
          ),
        () => NCreateResponse.fromRequest(request),
        request.getAffectedSopClassUid(),
        callback,
      );
    }

    override nSetRequest(
      request: Parameters<InstanceType<typeof Scp>["nSetRequest"]>[0],
      callback: Parameters<InstanceType<typeof Scp>["nSetRequest"]>[1],
    ) {
      this.mpps(
        () =>
          handler.set(
            this.peer!,
            request.getRequestedSopInstanceUid(),
            request.getDataset()?.getElements() ?? {},
          ),
        () => NSetResponse.fromRequest(request),
        request.getRequestedSopClassUid(),
        callback,
      );
    }

    private mpps<R extends { setStatus(s: number): void; setErrorComment(c: string): void }>(
      run: () => Promise<MppsOutcome>,
      respond: () => R,
      sopClass: string,
      callback: (r: R) => void,
    ) {
      const answer = (outcome: MppsOutcome) => {
        const r = respond();
        r.setStatus(outcome.status);
        if (outcome.comment) r.setErrorComment(outcome.comment);
        callback(r);
      };
      if (!this.peer || sopClass !== SopClass.ModalityPerformedProcedureStep) {
        answer({ status: 0x0122, comment: "SOP class not supported" });
        return;
      }
      run()
        .then(answer)
        .catch((err: unknown) => {
          log.error({ err }, "DICOM MPPS request failed");
          answer({ status: 0x0110, comment: "processing failure" });
        });
    }

    override abort() {}
  }

  const server = new Server(WorklistScp);
  const net = await new Promise<NetServer>((resolve, reject) => {
    server.on("listening", () => resolve((server as unknown as { server: NetServer }).server));
    server.on("networkError", (err: Error) => reject(err));
    server.listen(port);
  });
  server.on("networkError", (err: Error) => log.warn({ err }, "DICOM network error"));
  log.info({ port: (net.address() as AddressInfo).port }, "DICOM worklist listening");
  return {
    port: (net.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        net.once("close", () => resolve());
        server.close();
        if (!net.listening) resolve();
      }),
  };
}
