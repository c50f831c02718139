// The public surface of the market-data layer: schemas and types, importers, readers, summaries, errors.
export { DataError, escapeControls, quoteInput, type DataErrorCode, type DataErrorLocation } from "./errors.js";
export { sharedDataDir, companionPath } from "./paths.js";
export * from "./schema.js";
export {
  parseLobster,
  writeLobster,
  lobsterOutputPaths,
  parseLobsterFileName,
  type LobsterImport,
  type LobsterImportOptions,
  type LobsterVerifier,
  type VerifyReport,
} from "./lobster.js";
export { parseBinance, writeBinance, binanceOutputPaths, type BinanceImport, type BinanceImportOptions, type BinanceMarket } from "./binance.js";
export {
  openDataFile,
  fixedColumns,
  bookColumns,
  readFixedTable,
  readL3,
  readBook,
  readL2,
  readTrades,
  readBbo,
  readLobster,
  readBinance,
  companionOf,
  openCompanion,
  type OpenedDataFile,
} from "./reader.js";
export { summarizeFile, summarizeDataset, formatSummary, describeDataFile, isoNs, formatSteps, type FileSummary, type DatasetSummary } from "./info.js";
