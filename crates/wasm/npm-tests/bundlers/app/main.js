// What a bundled page does with the package: parse a ticket, ask for
// advice, and catch a CocError. The test reads #result.
import { CocError, advise, isActive, parseGetExecution } from "@coc-ops/core";
import { report } from "./report.js";

report({ CocError, advise, isActive, parseGetExecution });
