/*
 * netsurv reference harness for SEER survival time (written for netsurv; it contains no code of
 * the reference implementation, it only calls its public API).
 *
 * Calls com.imsweb.algorithms.survival.SurvivalTimeUtils.calculateSurvivalTime (imsweb/algorithms,
 * BSD-3) once per patient and writes one CSV row of results per input row, in input order.
 *
 *   java SurvivalReference survival_input.csv survival_output.csv
 *
 * Input columns: cutoff_year,patient_id,date_dx,date_last_contact,date_of_birth,vital_status,
 * sequence,reporting_source. Dates are NAACCR YYYY[MM[DD]] strings, split into year (chars 1-4),
 * month (5-6) and day (7-8); a missing part or an empty field is passed as null. A patient's
 * records are consecutive rows; cutoff_year is the end point year given to SEER's algorithm.
 */
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import com.imsweb.algorithms.survival.SurvivalTimeInputPatientDto;
import com.imsweb.algorithms.survival.SurvivalTimeInputRecordDto;
import com.imsweb.algorithms.survival.SurvivalTimeOutputPatientDto;
import com.imsweb.algorithms.survival.SurvivalTimeOutputRecordDto;
import com.imsweb.algorithms.survival.SurvivalTimeUtils;

public final class SurvivalReference {

    private SurvivalReference() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2)
            throw new IllegalArgumentException("usage: SurvivalReference IN.csv OUT.csv");
        try (BufferedReader in = Files.newBufferedReader(Paths.get(args[0]), StandardCharsets.US_ASCII);
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(Paths.get(args[1]), StandardCharsets.US_ASCII))) {
            in.readLine(); // header
            out.println("months,flag,days,months_presumed_alive,flag_presumed_alive,days_presumed_alive,"
                    + "dx_year,dx_month,dx_day,vital_status_recode,sorted_index");
            List<SurvivalTimeInputRecordDto> patient = new ArrayList<>();
            String currentKey = null;
            int currentCutoff = 0;
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = fields(line);
                String key = f[0] + "/" + f[1];
                if (currentKey != null && !currentKey.equals(key)) {
                    writePatient(patient, currentCutoff, out);
                    patient.clear();
                }
                currentKey = key;
                currentCutoff = Integer.parseInt(f[0]);
                patient.add(record(f));
            }
            if (!patient.isEmpty())
                writePatient(patient, currentCutoff, out);
        }
    }

    private static String[] fields(String line) {
        String[] raw = line.split(",", -1);
        if (raw.length != 8)
            throw new IllegalArgumentException("expected 8 fields: " + line);
        String[] out = new String[raw.length];
        for (int i = 0; i < raw.length; i++)
            out[i] = raw[i].isEmpty() ? null : raw[i];
        return out;
    }

    private static String part(String date, int from, int to) {
        return date == null || date.length() < to ? null : date.substring(from, to);
    }

    private static SurvivalTimeInputRecordDto record(String[] f) {
        SurvivalTimeInputRecordDto rec = new SurvivalTimeInputRecordDto();
        rec.setPatientIdNumber(f[1]);
        rec.setDateOfDiagnosisYear(part(f[2], 0, 4));
        rec.setDateOfDiagnosisMonth(part(f[2], 4, 6));
        rec.setDateOfDiagnosisDay(part(f[2], 6, 8));
        rec.setDateOfLastContactYear(part(f[3], 0, 4));
        rec.setDateOfLastContactMonth(part(f[3], 4, 6));
        rec.setDateOfLastContactDay(part(f[3], 6, 8));
        rec.setBirthYear(part(f[4], 0, 4));
        rec.setBirthMonth(part(f[4], 4, 6));
        rec.setBirthDay(part(f[4], 6, 8));
        rec.setVitalStatus(f[5]);
        rec.setSequenceNumberCentral(f[6]);
        rec.setTypeOfReportingSource(f[7]);
        return rec;
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }

    private static void writePatient(List<SurvivalTimeInputRecordDto> records, int cutoff, PrintWriter out) {
        SurvivalTimeInputPatientDto input = new SurvivalTimeInputPatientDto();
        input.setSurvivalTimeInputPatientDtoList(new ArrayList<>(records));
        SurvivalTimeOutputPatientDto result = SurvivalTimeUtils.calculateSurvivalTime(input, cutoff);
        List<SurvivalTimeOutputRecordDto> rows = result.getSurvivalTimeOutputPatientDtoList();
        if (rows.size() != records.size())
            throw new IllegalStateException("record count changed for patient " + records.get(0).getPatientIdNumber());
        for (SurvivalTimeOutputRecordDto r : rows)
            out.println(String.join(",", text(r.getSurvivalMonths()), text(r.getSurvivalMonthsFlag()), text(r.getSurvivalDays()),
                    text(r.getSurvivalMonthsPresumedAlive()), text(r.getSurvivalMonthsFlagPresumedAlive()),
                    text(r.getSurvivalDaysPresumedAlive()), text(r.getSurvivalTimeDxYear()), text(r.getSurvivalTimeDxMonth()),
                    text(r.getSurvivalTimeDxDay()), text(result.getVitalStatusRecode()), text(r.getSortedIndex())));
    }
}
