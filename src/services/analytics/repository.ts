/** SQL of the analytics module: the trained no-show models and the training claim. */
import { type ColumnType, sql } from "kysely";
import type { Executor } from "../../platform/db.js";
import type { NoShowModel } from "./noshow/index.js";
import type { Evaluation } from "./noshow/model.js";

export type AnalyticsTables = {
  noshow_models: {
    version: number;
    trained_at: Date;
    trained_on: number;
    // jsonb: read as objects, written as JSON text
    model: ColumnType<NoShowModel, string, never>;
    evaluation: ColumnType<Evaluation, string, never>;
  };
  noshow_training: { id: number; claimed_until: Date };
};

export interface StoredModel {
  version: number;
  trainedAt: Date;
  trainedOn: number;
  model: NoShowModel;
  evaluation: Evaluation;
}

const q = (db: Executor) => db.withTables<AnalyticsTables>();

export const analyticsRepository = {
  /** The model in use: the highest version. */
  async current(db: Executor): Promise<StoredModel | undefined> {
    const r = await q(db)
      .selectFrom("noshow_models")
      .selectAll()
      .orderBy("version", "desc")
      .limit(1)
      .executeTakeFirst();
    return (
      r && {
        version: r.version,
        trainedAt: r.trained_at,
        trainedOn: r.trained_on,
        model: r.model,
        evaluation: r.evaluation,
      }
    );
  },

  /**
   * Claims the training until `until` when no replica holds the claim and no model is younger
   * than `freshAfter`: one statement, so of two replicas asking at once exactly one gets it.
   */
  async claimTraining(db: Executor, now: Date, until: Date, freshAfter: Date): Promise<boolean> {
    const r = await q(db)
      .updateTable("noshow_training")
      .set({ claimed_until: until })
      .where("id", "=", 1)
      .where("claimed_until", "<", now)
      .where((eb) =>
        eb.not(
          eb.exists(eb.selectFrom("noshow_models").select("version").where("trained_at", ">", freshAfter)),
        ),
      )
      .returning("id")
      .executeTakeFirst();
    return r !== undefined;
  },

  async releaseTraining(db: Executor): Promise<void> {
    await q(db)
      .updateTable("noshow_training")
      .set({ claimed_until: new Date(0) })
      .where("id", "=", 1)
      .execute();
  },

  /** Stores a trained model as the next version. */
  async insert(db: Executor, m: Omit<StoredModel, "version">): Promise<number> {
    const r = await q(db)
      .insertInto("noshow_models")
      .values({
        // the next version; two inserts racing for it collide on the primary key
        version: sql<number>`(SELECT coalesce(max(version), 0) + 1 FROM noshow_models)`,
        trained_at: m.trainedAt,
        trained_on: m.trainedOn,
        model: JSON.stringify(m.model),
        evaluation: JSON.stringify(m.evaluation),
      })
      .returning("version")
      .executeTakeFirstOrThrow();
    return r.version;
  },
};
