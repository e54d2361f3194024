// Bring-your-own model (issue 10): file input, drag-and-drop and #model= URLs. Filled in next.
'use strict';
