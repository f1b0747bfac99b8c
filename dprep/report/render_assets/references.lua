--[[
Runs after --citeproc: the reference section that pandoc adds as a level-1 heading becomes a
level-2 heading, level with the document's sections (the page title is the only h1).
]]

function Header(header)
  if header.identifier == "bibliography" and header.level == 1 then
    header.level = 2
    return header
  end
end
