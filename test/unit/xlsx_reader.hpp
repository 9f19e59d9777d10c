// Reads an .xlsx back with Python's zipfile + ElementTree (no spreadsheet library),
// so the tests check the real XML the renderer wrote: sheet names, cell values,
// formulas, number formats, frozen panes and autofilters.
#pragma once

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "test_files.hpp"

namespace budget_exports::testing {

inline const char* const kXlsxReaderScript = R"PY(
import json, re, sys, zipfile
import xml.etree.ElementTree as ET
NS = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main',
      'r': 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'}
REL = '{http://schemas.openxmlformats.org/package/2006/relationships}'
z = zipfile.ZipFile(sys.argv[1])
mode = sys.argv[2] if len(sys.argv) > 2 else 'cells'
# Every XML part must parse (an invalid character anywhere makes Excel "repair" the file).
parsed = 0
for part in z.namelist():
    if part.endswith('.xml') or part.endswith('.rels'):
        ET.fromstring(z.read(part))
        parsed += 1
shared = []
if 'xl/sharedStrings.xml' in z.namelist():
    for si in ET.fromstring(z.read('xl/sharedStrings.xml')).findall('m:si', NS):
        shared.append(''.join(t.text or '' for t in si.iter('{%s}t' % NS['m'])))
styles = ET.fromstring(z.read('xl/styles.xml'))
codes = {int(n.get('numFmtId')): n.get('formatCode') for n in styles.iter('{%s}numFmt' % NS['m'])}
xfs = [x for x in styles.find('m:cellXfs', NS)]
def style(s):
    x = xfs[int(s)] if s is not None else xfs[0]
    n = int(x.get('numFmtId', 0))
    a = x.find('m:alignment', NS)
    return {'fmt': codes.get(n, str(n)), 'fill': x.get('fillId', '0'),
            'align': a.get('horizontal', '') if a is not None else '',
            'valign': a.get('vertical', '') if a is not None else '', 'wrap': a.get('wrapText', '') if a is not None else '',
            'indent': a.get('indent', '') if a is not None else ''}
wb = ET.fromstring(z.read('xl/workbook.xml'))
rels = {r.get('Id'): r.get('Target') for r in ET.fromstring(z.read('xl/_rels/workbook.xml.rels')).iter(REL + 'Relationship')}
out = {'sheets': [], 'cells': {}, 'frozen': {}, 'autofilter': {}, 'print': {}, 'row_heights': {}, 'parts_parsed': parsed,
       'print_titles': {d.get('name') + ':' + str(d.get('localSheetId')): d.text for d in wb.iter('{%s}definedName' % NS['m'])}}
for sheet in wb.find('m:sheets', NS):
    name = sheet.get('name')
    out['sheets'].append(name)
    root = ET.fromstring(z.read('xl/' + rels[sheet.get('{%s}id' % NS['r'])]))
    pane = root.find('.//m:pane', NS)
    out['frozen'][name] = pane.get('topLeftCell') if pane is not None and pane.get('state') == 'frozen' else ''
    ps, fit, footer = root.find('m:pageSetup', NS), root.find('.//m:pageSetUpPr', NS), root.find('.//m:oddFooter', NS)
    out['print'][name] = {'orientation': ps.get('orientation') if ps is not None else '',
                          'paper': ps.get('paperSize') if ps is not None else '',
                          'fit_width': ps.get('fitToWidth', '1') if ps is not None else '',
                          'fit_height': ps.get('fitToHeight', '1') if ps is not None else '',
                          'fit': fit.get('fitToPage') if fit is not None else '',
                          'footer': footer.text if footer is not None else ''}
    af = root.find('m:autoFilter', NS)
    out['autofilter'][name] = af.get('ref') if af is not None else ''
    out['row_heights'][name] = {r.get('r'): float(r.get('ht')) for r in root.iter('{%s}row' % NS['m'])
                                if r.get('customHeight') == '1'}
    cells = {}
    for c in root.iter('{%s}c' % NS['m']):
        t, v, f = c.get('t'), c.find('m:v', NS), c.find('m:f', NS)
        if t == 's': value = shared[int(v.text)]
        elif t == 'inlineStr': value = ''.join(x.text or '' for x in c.iter('{%s}t' % NS['m']))
        else: value = v.text if v is not None else None
        cell = {'v': value, 'type': 'str' if t in ('s', 'inlineStr') else (t or 'n')}
        cell.update(style(c.get('s')))
        if f is not None: cell['f'] = f.text
        cells[c.get('r')] = cell
    if mode == 'totals' and name == 'Details':
        from decimal import Decimal
        rows = [r for r in cells if r.startswith('G') and cells[r]['type'] == 'n' and 'f' not in cells[r] and r != 'G1']
        out['detail_rows'] = len(rows)
        out['detail_sum_cents'] = sum(int((Decimal(cells[r]['v']) * 100).to_integral_value()) for r in rows)
        spent = [r for r in cells if r.startswith('H') and cells[r]['type'] == 'n' and 'f' not in cells[r] and r != 'H1']
        out['detail_spent_cents'] = sum(int((Decimal(cells[r]['v']) * 100).to_integral_value()) for r in spent)
        cells = {r: c for r, c in cells.items() if 'f' in c}
    out['cells'][name] = cells
print(json.dumps(out))
)PY";

// Parsed workbook: {"sheets": [...], "cells": {sheet: {"B7": {"v","type","fmt","fill","align",
// "valign","wrap","f"}}}, "frozen": {sheet: "A2"}, "autofilter": {sheet: "A1:I301"},
// "row_heights": {sheet: {"2": 45.0}} (rows given a height)}. mode "totals" replaces the
// Details cells by detail_rows / detail_sum_cents (for huge sheets).
inline nlohmann::json read_xlsx(const std::string& path, const std::string& mode = "cells") {
    ScratchFile script("py");
    std::FILE* file = std::fopen(script.path().c_str(), "w");
    std::fputs(kXlsxReaderScript, file);
    std::fclose(file);
    return nlohmann::json::parse(run_command("python3 " + script.path() + " " + path + " " + mode));
}

}  // namespace budget_exports::testing
