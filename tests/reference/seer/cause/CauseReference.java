/*
 * netsurv reference harness for SEER cause-specific death classification (written for netsurv;
 * it contains no code of the reference implementation, it only calls its public API).
 *
 * Calls com.imsweb.algorithms.causespecific.CauseSpecificUtils.computeCauseSpecific(input,
 * cutoffYear) (imsweb/algorithms, BSD-3; SEER site recode "WHO 2008 Definition", its default)
 * on every row and writes one CSV row of results per input row, in input order.
 *
 *   java CauseReference cause_input.csv cause_output.csv
 *
 * Input columns: cutoff_year,sequence,icd_revision,cause_of_death,primary_site,histology,
 * year_last_contact. An empty field is passed as null.
 */
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;

import com.imsweb.algorithms.causespecific.CauseSpecificInputDto;
import com.imsweb.algorithms.causespecific.CauseSpecificResultDto;
import com.imsweb.algorithms.causespecific.CauseSpecificUtils;

public final class CauseReference {

    private CauseReference() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2)
            throw new IllegalArgumentException("usage: CauseReference IN.csv OUT.csv");
        try (BufferedReader in = Files.newBufferedReader(Paths.get(args[0]), StandardCharsets.US_ASCII);
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(Paths.get(args[1]), StandardCharsets.US_ASCII))) {
            in.readLine(); // header
            out.println("cause_specific,cause_other");
            String line;
            while ((line = in.readLine()) != null) {
                String[] raw = line.split(",", -1);
                if (raw.length != 7)
                    throw new IllegalArgumentException("expected 7 fields: " + line);
                String[] f = new String[raw.length];
                for (int i = 0; i < raw.length; i++)
                    f[i] = raw[i].isEmpty() ? null : raw[i];
                CauseSpecificInputDto input = new CauseSpecificInputDto();
                input.setSequenceNumberCentral(f[1]);
                input.setIcdRevisionNumber(f[2]);
                input.setCauseOfDeath(f[3]);
                input.setPrimarySite(f[4]);
                input.setHistologyIcdO3(f[5]);
                input.setDateOfLastContactYear(f[6]);
                CauseSpecificResultDto r = CauseSpecificUtils.computeCauseSpecific(input, Integer.parseInt(f[0]));
                out.println(r.getCauseSpecificDeathClassification() + "," + r.getCauseOtherDeathClassification());
            }
        }
    }
}
