// netsurv's own generator (MIT): random inputs for SEER's Derived Summary Grade 2018 and the
// reference implementation's answer for each. It calls
// com.imsweb.algorithms.derivedgrade.DerivedSummaryGradeUtils.deriveSummaryGrade from
// imsweb/algorithms (BSD-3-Clause), which make_reference.sh fetches and compiles; no code of
// theirs is in this file or in this repository.
import com.imsweb.algorithms.derivedgrade.DerivedSummaryGradeUtils;

import java.io.PrintWriter;
import java.util.Random;

public final class GradeReferenceGenerator {

    // schema ids: breast, the special (lymphoma/heme) schemas, NET and carcinoma schemas, junk
    private static final String[] SCHEMAS = {
        null, "00480", "00790", "00795", "00811", "00812", "00821", "00822", "00830",
        "00290", "00301", "00302", "00310", "00320", "00330", "00340", "00360", "00170",
        "00180", "00190", "00200", "00280", "00161", "00400", "00590", "00380", "00000", "09340"
    };
    private static final String[] BEHAVIORS = {null, "0", "1", "2", "3", "6", "9"};
    // every code of the NAACCR #3843/#3844 code lists, 8, and values outside every list
    private static final String[] GRADES = {
        null, "1", "2", "3", "4", "5", "8", "9", "A", "B", "C", "D", "E", "H", "L", "M", "S",
        "0", "6", "7", "X", "F", "h", "s", "a", "99", "G1"
    };

    private GradeReferenceGenerator() {
    }

    private static String pick(Random random, String[] values) {
        return values[random.nextInt(values.length)];
    }

    private static String cell(String value) {
        return value == null ? "" : value;
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        Random random = new Random(Long.parseLong(args[1]));
        try (PrintWriter out = new PrintWriter(args[2], "UTF-8")) {
            out.print("schema_id,behavior,grade_clinical,grade_pathological,derived_summary_grade\n");
            for (int i = 0; i < n; i++) {
                String schema = pick(random, SCHEMAS);
                String behavior = pick(random, BEHAVIORS);
                String clinical = pick(random, GRADES);
                String pathological = pick(random, GRADES);
                String derived = DerivedSummaryGradeUtils.deriveSummaryGrade(schema, behavior, clinical, pathological);
                out.print(cell(schema) + "," + cell(behavior) + "," + cell(clinical) + ","
                        + cell(pathological) + "," + cell(derived) + "\n");
            }
        }
    }
}
