-- What pandoc's writers need to lay out the report: page breaks, landscape pages for wide tables, and the
-- place of the contents, and anchors typst can link to. The HTML marks them with classes (analysis.engine.assemble.documents):
--   <div class="page-break">    a new page
--   <div class="landscape">…    the content on landscape pages (a Word section of its own; typst flipped pages)
--   <div class="contents-here"> the contents (typst: an outline; Word: a marker paragraph that the
--                               assembly replaces by a filled, updatable contents field)

local A4_PORTRAIT = '<w:pgSz w:w="11906" w:h="16838"/>'
local A4_LANDSCAPE = '<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>'
local MARGINS = '<w:pgMar w:top="1247" w:right="1247" w:bottom="1247" w:left="1247" w:header="708" w:footer="708" w:gutter="0"/>'

local function section_break(size)
  -- A paragraph whose properties end a Word section: the section before it gets this page size.
  return pandoc.RawBlock('openxml', '<w:p><w:pPr><w:sectPr>' .. size .. MARGINS .. '</w:sectPr></w:pPr></w:p>')
end

-- An empty span with an id is an anchor (a finding's bookmark, a caption's, a reference's). Word makes it a
-- bookmark; typst needs an element to carry the label, or a link to it fails.
function Span(span)
  if FORMAT == 'typst' and span.identifier ~= '' and #span.content == 0 then
    return pandoc.RawInline('typst', '#metadata(none)<' .. span.identifier .. '>')
  end
end

function Div(div)
  if div.classes:includes('page-break') then
    if FORMAT == 'docx' then
      return pandoc.RawBlock('openxml', '<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
    elseif FORMAT == 'typst' then
      return pandoc.RawBlock('typst', '#pagebreak(weak: true)')
    end
  elseif div.classes:includes('landscape') then
    if FORMAT == 'docx' then
      local blocks = { section_break(A4_PORTRAIT) }
      for _, block in ipairs(div.content) do table.insert(blocks, block) end
      table.insert(blocks, section_break(A4_LANDSCAPE))
      return blocks
    elseif FORMAT == 'typst' then
      local blocks = { pandoc.RawBlock('typst', '#page(flipped: true)[') }
      for _, block in ipairs(div.content) do table.insert(blocks, block) end
      table.insert(blocks, pandoc.RawBlock('typst', ']'))
      return blocks
    end
  elseif div.classes:includes('contents-here') then
    if FORMAT == 'docx' then
      return pandoc.Para({ pandoc.Str('CONTENTS-FIELD') })
    elseif FORMAT == 'typst' then
      local title = div.attributes['title'] or 'Contents'
      return pandoc.RawBlock('typst', '#outline(title: [' .. title .. '], depth: 2)')
    end
  end
end
