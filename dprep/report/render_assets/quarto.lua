--[[
Quarto-style floats, cross-references, callouts and links for dprep's fallback renderer.

Runs before --citeproc, so that `@fig-x` and `@tbl-x` are resolved here and never reach
the citation processor.  It provides:

* floats: a Div `{#fig-x .dprep-float}` or `{#tbl-x .dprep-float}` (written by dprep.render
  for a labelled code cell) whose last child is a `.dprep-caption` Div, a paragraph holding
  only `![caption](src){#fig-x}`, and a Markdown table with `: caption {#tbl-x}` are numbered
  in document order; their captions read "Figure 1: ..." / "Table 1: ...";
* cross-references: `@fig-x` becomes a link "Figure 1", `[-@fig-x]` the bare number, and an
  unknown label stops the render;
* callouts: `::: {.callout-note}` (note, tip, warning, important, caution) gets a title bar,
  taken from the `title` attribute, a leading heading, or the callout type;
* links to sibling `.qmd` documents point to their `.html` pages.
]]

local PREFIX = { fig = "Figure", tbl = "Table" }
local CALLOUT_TITLES = {
  note = "Note", tip = "Tip", warning = "Warning", important = "Important", caution = "Caution",
}

local numbers = {}
local counters = { fig = 0, tbl = 0 }

local function kind_of(identifier)
  local kind = identifier:match("^(%a+)%-")
  if kind and PREFIX[kind] then
    return kind
  end
  return nil
end

-- Give `identifier` the next number of its kind; return the caption label ("Figure 3").
local function register(identifier)
  local kind = kind_of(identifier)
  if numbers[identifier] then
    error("duplicate cross-reference label: " .. identifier)
  end
  counters[kind] = counters[kind] + 1
  numbers[identifier] = { kind = kind, n = counters[kind] }
  return PREFIX[kind] .. " " .. counters[kind]
end

local function labelled(label, inlines)
  if #inlines == 0 then
    return pandoc.Inlines { pandoc.Str(label) }
  end
  local out = pandoc.Inlines { pandoc.Str(label .. ":"), pandoc.Space() }
  out:extend(inlines)
  return out
end

local function float_figure(identifier, kind, content, caption_inlines)
  local label = register(identifier)
  local caption = { pandoc.Plain(labelled(label, caption_inlines)) }
  local class = kind == "fig" and "dprep-figure" or "dprep-table"
  return pandoc.Figure(content, caption, pandoc.Attr(identifier, { class }))
end

-- A labelled code cell: Div {#fig-x .dprep-float} [outputs..., Div.dprep-caption].
local function float_div(div)
  local kind = kind_of(div.identifier)
  if not (kind and div.classes:includes("dprep-float")) then
    return nil
  end
  local content = pandoc.Blocks {}
  local caption = pandoc.Inlines {}
  for _, block in ipairs(div.content) do
    if block.t == "Div" and block.classes:includes("dprep-caption") then
      caption = pandoc.utils.blocks_to_inlines(block.content)
    else
      content:insert(block)
    end
  end
  return float_figure(div.identifier, kind, content, caption)
end

-- Markdown figure: a paragraph holding only ![caption](src){#fig-x fig-alt="..."}.
local function float_image(para)
  if #para.content ~= 1 or para.content[1].t ~= "Image" then
    return nil
  end
  local image = para.content[1]
  if kind_of(image.identifier) ~= "fig" then
    return nil
  end
  local identifier, caption = image.identifier, image.caption
  local alt = image.attributes["fig-alt"] or pandoc.utils.stringify(caption)
  image.identifier = ""
  image.attributes["fig-alt"] = nil
  image.attributes.alt = alt
  return float_figure(identifier, "fig", { pandoc.Plain { image } }, caption)
end

-- Markdown table with `: caption {#tbl-x}`.
local function float_table(tbl)
  if kind_of(tbl.identifier) ~= "tbl" then
    return nil
  end
  local label = register(tbl.identifier)
  local long = tbl.caption.long
  local inlines = #long > 0 and pandoc.utils.blocks_to_inlines(long) or pandoc.Inlines {}
  tbl.caption.long = { pandoc.Plain(labelled(label, inlines)) }
  return tbl
end

local function resolve_reference(cite)
  if not kind_of(cite.citations[1].id) then
    return nil
  end
  local out = pandoc.Inlines {}
  for i, citation in ipairs(cite.citations) do
    local entry = numbers[citation.id]
    if not entry then
      error("unresolved cross-reference @" .. citation.id .. " (no figure or table has this label)")
    end
    if i > 1 then
      out:extend { pandoc.Str(","), pandoc.Space() }
    end
    out:extend(citation.prefix)
    if #citation.prefix > 0 then
      out:insert(pandoc.Space())
    end
    local text = tostring(entry.n)
    if citation.mode ~= "SuppressAuthor" then
      text = PREFIX[entry.kind] .. "\u{a0}" .. text
    end
    out:insert(pandoc.Link(text, "#" .. citation.id, "", pandoc.Attr("", { "xref" })))
    out:extend(citation.suffix)
  end
  return out
end

local function callout(div)
  local kind
  for _, class in ipairs(div.classes) do
    kind = kind or class:match("^callout%-(%a+)$")
  end
  if not (kind and CALLOUT_TITLES[kind]) then
    return nil
  end
  local body = div.content
  local title
  if div.attributes.title then
    title = pandoc.utils.blocks_to_inlines(pandoc.read(div.attributes.title, "markdown").blocks)
    div.attributes.title = nil
  elseif body[1] and body[1].t == "Header" then
    title = body[1].content
    body = pandoc.Blocks { table.unpack(body, 2) }
  else
    title = pandoc.Inlines { pandoc.Str(CALLOUT_TITLES[kind]) }
  end
  div.classes:insert("callout")
  div.content = {
    pandoc.Div(pandoc.Plain(title), pandoc.Attr("", { "callout-title" })),
    pandoc.Div(body, pandoc.Attr("", { "callout-body" })),
  }
  return div
end

local function qmd_link(link)
  if link.target:match("^%a[%w+.-]*:") then
    return nil
  end
  local target = link.target:gsub("%.qmd$", ".html"):gsub("%.qmd#", ".html#")
  link.target = target
  return link
end

function Pandoc(doc)
  doc = doc:walk { traverse = "topdown", Div = float_div, Para = float_image, Table = float_table }
  return doc:walk { Cite = resolve_reference, Div = callout, Link = qmd_link }
end
