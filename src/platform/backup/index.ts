export { runBackup, runRestore } from "./commands.js";
export {
  backupLocation,
  LOCATION_FILE,
  type LocationRestoreReport,
  restoreLocation,
} from "./location.js";
export { LOCATION_TABLES } from "./location.tables.js";
export { BackupError, MANIFEST_FILE, type Manifest, readManifest } from "./manifest.js";
export { backupNetwork, type RestoreTarget, restoreNetwork } from "./network.js";
