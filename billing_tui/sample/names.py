"""Word lists the sample practice draws people and places from: made-up combinations, never real records.

The names are common given and family names of many origins, with the
apostrophes, hyphens, accents and multi-word family names that a search box
must cope with; cities and streets are invented, with a state, ZIP prefix and
area code that fit together. Phone numbers use the fictional 555-01xx range.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    """A comma-separated list (names may contain spaces, so commas separate them)."""
    return tuple(word.strip() for word in text.replace("\n", " ").split(",") if word.strip())


FEMALE_FIRST = _words("""
Mary, Patricia, Jennifer, Linda, Elizabeth, Barbara, Susan, Jessica, Sarah, Karen, Lisa,
Nancy, Betty, Sandra, Margaret, Ashley, Kimberly, Emily, Donna, Michelle, Carol, Amanda,
Melissa, Deborah, Stephanie, Dorothy, Rebecca, Sharon, Laura, Cynthia, Amy, Kathleen,
Angela, Shirley, Brenda, Emma, Anna, Pamela, Nicole, Samantha, Katherine, Christine, Helen,
Debra, Rachel, Carolyn, Janet, Maria, Catherine, Heather, Diane, Olivia, Julie, Joyce,
Victoria, Ruth, Virginia, Lauren, Kelly, Christina, Joan, Evelyn, Judith, Andrea, Hannah,
Megan, Cheryl, Jacqueline, Martha, Madison, Teresa, Gloria, Sara, Janice, Ann, Kathryn,
Abigail, Sophia, Frances, Jean, Alice, Judy, Isabella, Julia, Grace, Amber, Denise,
Danielle, Marilyn, Beverly, Charlotte, Natalie, Theresa, Diana, Brittany, Doris, Kayla,
Alexis, Lori, Marie, Zoë, Renée, Chloé, Inés, Mónica, Lucía, Ximena, Sofía, Valentina,
Camila, Guadalupe, Rosa, Yolanda, Carmen, Aaliyah, Imani, Keisha, Latoya, Ebony, Tamika,
Shanice, Nia, Aisha, Fatima, Amira, Leila, Noor, Yasmin, Priya, Ananya, Deepika, Kavya,
Mei, Lin, Hana, Yuki, Sakura, Ji-woo, Min-ji, Seo-yeon, Thi, Linh, Mai, Ngoc, Siobhan,
Niamh, Aoife, Saoirse, Ingrid, Astrid, Freya, Greta, Anneliese, Marguerite, Geneviève,
Éloïse, Hélène, Margot, Beatriz, Graça, Joana, Ana-Maria, Mary-Kate, Anne-Marie,
Mary Beth, Lou Ann, Ella, Avery, Scarlett, Mia, Harper, Aria, Layla, Riley, Nora, Zoey,
Lily, Eleanor, Hazel, Violet, Aurora, Savannah, Audrey, Brooklyn, Bella, Claire, Skylar,
Lucy, Paisley, Everly, Caroline, Nova, Genesis, Emilia, Kennedy, Maya, Willow, Kinsley,
Naomi, Elena, Sarah-Jane, Ivy, Delaney, Bridget, Colleen, Maureen, Peggy, Rita, Wanda,
Irene, Lorraine, Edna, Gladys, Thelma, Mildred, Agnes, Opal, Bernadette, Dolores, Consuelo,
Esperanza, Marisol, Itzel, Daniela, Fernanda, Paola, Adriana, Alejandra, Nayeli, Yesenia,
Jasmine, Destiny, Tiana, Ciara, Monique, Raven, Tasha, Kiara, Dominique, Octavia
""")

MALE_FIRST = _words("""
James, Robert, John, Michael, David, William, Richard, Joseph, Thomas, Christopher, Charles,
Daniel, Matthew, Anthony, Mark, Donald, Steven, Andrew, Paul, Joshua, Kenneth, Kevin,
Brian, George, Timothy, Ronald, Jason, Edward, Jeffrey, Ryan, Jacob, Gary, Nicholas, Eric,
Jonathan, Stephen, Larry, Justin, Scott, Brandon, Benjamin, Samuel, Gregory, Alexander,
Patrick, Frank, Raymond, Jack, Dennis, Jerry, Tyler, Aaron, Jose, Adam, Nathan, Henry,
Zachary, Douglas, Peter, Kyle, Noah, Ethan, Jeremy, Walter, Christian, Keith, Roger, Terry,
Austin, Sean, Gerald, Carl, Harold, Dylan, Arthur, Lawrence, Jordan, Jesse, Bryan, Billy,
Bruce, Gabriel, Joe, Logan, Alan, Juan, Albert, Willie, Elijah, Wayne, Randy, Vincent,
Mason, Roy, Ralph, Bobby, Russell, Bradley, Philip, Eugene, José, Jesús, Andrés, Joaquín,
Ramón, Héctor, Raúl, Martín, Nicolás, Sebastián, Mateo, Santiago, Diego, Alejandro, Luis,
Carlos, Miguel, DeShawn, Jamal, Malik, Tyrone, Darnell, Marquis, Terrell, Andre, Omar,
Ahmed, Hassan, Tariq, Yusuf, Karim, Rahul, Arjun, Vikram, Sanjay, Ravi, Wei, Jun, Hiroshi,
Kenji, Takeshi, Min-jun, Ji-hoon, Duc, Minh, Tuan, Quang, Liam, Declan, Cian, Seamus,
Padraig, Lars, Sven, Anders, Björn, Klaus, Jürgen, François, Jérôme, Étienne, Loïc, João,
Tomás, Gonçalo, Jean-Luc, Jean-Paul, Billy Ray, Oliver, Lucas, Levi, Owen, Wyatt, Caleb,
Hudson, Lincoln, Grayson, Julian, Isaac, Jaxon, Ezra, Luca, Asher, Leo, Isaiah, Miles,
Carter, Maverick, Everett, Silas, Theodore, Rowan, Emmett, Declan-James, Hugh, Desmond,
Clarence, Earl, Floyd, Herbert, Leroy, Melvin, Vernon, Wilbur, Otis, Clyde, Lloyd, Rudy,
Ignacio, Rodrigo, Emiliano, Fernando, Guillermo, Ernesto, Rafael, Arturo, Lorenzo, Cristian,
Jaylen, Darius, Xavier, Jalen, Trevon, Cedric, Reginald, Maurice, Alonzo, Kareem
""")

LAST = _words("""
Smith, Johnson, Williams, Brown, Jones, Garcia, Miller, Davis, Rodriguez, Martinez,
Hernandez, Lopez, Gonzalez, Wilson, Anderson, Thomas, Taylor, Moore, Jackson, Martin, Lee,
Perez, Thompson, White, Harris, Sanchez, Clark, Ramirez, Lewis, Robinson, Walker, Young,
Allen, King, Wright, Scott, Torres, Nguyen, Hill, Flores, Green, Adams, Nelson, Baker,
Hall, Rivera, Campbell, Mitchell, Carter, Roberts, Gomez, Phillips, Evans, Turner, Diaz,
Parker, Cruz, Edwards, Collins, Reyes, Stewart, Morris, Morales, Murphy, Cook, Rogers,
Gutierrez, Ortiz, Morgan, Cooper, Peterson, Bailey, Reed, Kelly, Howard, Ramos, Kim, Cox,
Ward, Richardson, Watson, Brooks, Chavez, Wood, James, Bennett, Gray, Mendoza, Ruiz,
Hughes, Price, Alvarez, Castillo, Sanders, Patel, Myers, Long, Ross, Foster, Jimenez,
Powell, Jenkins, Perry, Russell, Sullivan, Bell, Coleman, Butler, Henderson, Barnes,
Gonzales, Fisher, Vasquez, Simmons, Romero, Jordan, Patterson, Alexander, Hamilton,
Graham, Reynolds, Griffin, Wallace, Moreno, West, Cole, Hayes, Bryant, Herrera, Gibson,
Ellis, Tran, Medina, Aguilar, Stevens, Murray, Ford, Castro, Marshall, Owens, Harrison,
Fernandez, McDonald, Woods, Washington, Kennedy, Wells, Vargas, Henry, Chen, Freeman,
Webb, Tucker, Guzman, Burns, Crawford, Olson, Simpson, Porter, Hunter, Gordon, Mendez,
Silva, Shaw, Snyder, Mason, Dixon, Muñoz, Hunt, Hicks, Holmes, Palmer, Wagner, Black,
Robertson, Boyd, Rose, Stone, Salazar, Fox, Warren, Mills, Meyer, Rice, Schmidt, Garza,
Daniels, Ferguson, Nichols, Stephens, Soto, Weaver, Ryan, Gardner, Payne, Grant, Dunn,
Kelley, Spencer, Hawkins, Arnold, Pierce, Vazquez, Hansen, Peters, Santos, Hart, Bradley,
Knight, Elliott, Cunningham, Duncan, Armstrong, Hudson, Carroll, Lane, Riley, Andrews,
Alvarado, Ray, Delgado, Berry, Perkins, Hoffman, Johnston, Matthews, Peña, Richards,
Contreras, Willis, Carpenter, Lawrence, Sandoval, Nuñez, Núñez, Ibáñez, Muñiz, Hernández,
Gómez, Pérez, Rodríguez, O'Brien, O'Connor, O'Neill, O'Malley, O'Hara, O'Sullivan,
D'Angelo, D'Souza, McCarthy, MacKenzie, McLaughlin, MacLeod, Smith-Jones, Garcia-Lopez,
Hernández-Ruiz, Lee-Park, Jackson-Whitfield, Ortega-Ríos, Miller-Chen, de la Cruz,
De La Rosa, del Rosario, Van der Berg, van Dyke, Da Silva, dos Santos, St. Clair,
Le Blanc, La Fontaine, Von Stein, Al-Sayed, El-Amin, Abdul Rahman, Nakamura, Tanaka,
Suzuki, Watanabe, Yamamoto, Sato, Kobayashi, Park, Choi, Jung, Kang, Cho, Yoon, Wang, Li,
Zhang, Liu, Huang, Zhao, Wu, Zhou, Xu, Sun, Ma, Pham, Le, Hoang, Vu, Dang, Bui, Do, Ngo,
Duong, Ly, Singh, Kumar, Shah, Gupta, Sharma, Reddy, Rao, Iyer, Mehta, Desai, Kapoor,
Chaudhry, Khan, Ali, Hussain, Rahman, Ahmed, Haddad, Nassar, Khoury, Mansour, Okafor,
Okonkwo, Adeyemi, Mensah, Boateng, Diallo, Traoré, Kowalski, Nowak, Wiśniewski, Kowalczyk,
Novak, Horváth, Schneider, Müller, Fischer, Weber, Becker, Schulz, Koch, Zimmermann,
Bergström, Lindqvist, Johansson, Andersen, Nielsen, Jensen, Rossi, Russo, Ferrari,
Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Costa, Ferreira, Oliveira,
Pereira, Almeida, Sousa, Gonçalves, Rocha, Dubois, Lefèvre, Moreau, Laurent, Girard,
Bonnet, Fontaine, Rousseau, Chevalier, Petrov, Ivanov, Volkov, Sokolov, Popescu,
Papadopoulos, Georgiou, Yılmaz, Demir, Kaya, Cohen, Levy, Friedman, Goldberg, Katz,
Shapiro, Kaplan, Rosenberg, Fitzgerald, Gallagher, Doyle, Quinn, Brennan, Byrne
""")

MIDDLE_INITIALS = tuple("ABCDEFGHIJKLMNOPRSTVW")

STREETS = _words("""
Oak, Maple, Cedar, Elm, Pine, Birch, Willow, Chestnut, Walnut, Hickory, Sycamore, Magnolia,
Dogwood, Aspen, Juniper, Laurel, Spruce, Poplar, Cypress, Hawthorn, Lakeview, Hillcrest,
Ridgeway, Meadowbrook, Riverside, Sunset, Highland, Park, Washington, Lincoln, Jefferson,
Madison, Franklin, Jackson, Main, Church, Mill, School, Spring, Center, Union, Prospect,
Pleasant, Orchard, Valley, Forest, Meadow, Brook, Harbor, Bay, Summit, Greenwood, Fairview,
Woodland, Crestview, Kingsley, Ashford, Bramble, Foxglove, Larkspur, Primrose, Thistle,
Heather, Quarry, Ferry, Canal, Bridge, Depot, Railroad, Market, Academy, College, Garden,
Grove, Holly, Ivy, Mulberry, Peachtree, Plum, Redbud, Rosewood, Saddle, Sparrow, Cardinal,
Bluebird, Heron, Osprey, Falcon, Deer Run, Fox Hollow, Old Mill, Stone Fence, Cobblestone,
El Camino, Via Verde, Calle del Sol, Saint Anne's, O'Leary, Martin Luther King Jr
""")

STREET_SUFFIXES = ("St", "Ave", "Rd", "Ln", "Dr", "Ct", "Blvd", "Way", "Pl", "Ter", "Cir")

UNITS = ("Apt 1", "Apt 2B", "Apt 3C", "Apt 4", "Unit 5", "Unit 12", "Apt 101", "Apt 2F", "#7")

CITIES = (
    # (invented city, state, ZIP prefix of that state, area code of that state)
    ("Maple Hollow", "NY", "127", "845"),
    ("Cedar Ridge", "NY", "130", "315"),
    ("North Wexford", "NY", "145", "585"),
    ("Harbor Point", "NJ", "077", "732"),
    ("Glenmoor", "NJ", "074", "973"),
    ("Brookhaven Mills", "PA", "180", "610"),
    ("Fairmont Springs", "PA", "168", "814"),
    ("Lakeshore Heights", "OH", "440", "440"),
    ("Willow Creek", "OH", "453", "937"),
    ("Port Ellery", "MA", "019", "978"),
    ("East Larchmont", "CT", "064", "203"),
    ("Stillwater Bend", "MI", "494", "616"),
    ("Greyfield", "IL", "617", "309"),
    ("Prairie Vista", "IL", "600", "847"),
    ("Oakhurst Falls", "WI", "549", "920"),
    ("Marigold", "MN", "563", "320"),
    ("Copper Basin", "AZ", "855", "928"),
    ("Mesa Alta", "NM", "875", "505"),
    ("San Benito Flats", "TX", "785", "956"),
    ("Bluebonnet", "TX", "766", "254"),
    ("Pecan Grove", "TX", "774", "281"),
    ("Palmetto Shoals", "FL", "339", "239"),
    ("Coral Haven", "FL", "334", "561"),
    ("Magnolia Landing", "GA", "317", "229"),
    ("Riverbend", "NC", "286", "828"),
    ("Tidewater Cove", "VA", "234", "757"),
    ("Kettle Hill", "TN", "370", "615"),
    ("Bayou Clair", "LA", "705", "337"),
    ("Sierra Meadows", "CA", "959", "530"),
    ("Linden Vale", "CA", "913", "818"),
    ("Seacliff", "CA", "939", "831"),
    ("Cascade Falls", "WA", "982", "360"),
    ("Juniper Butte", "OR", "977", "541"),
    ("Silver Aspen", "CO", "816", "970"),
    ("Red Mesa", "UT", "845", "435"),
    ("Sagebrush", "NV", "894", "775"),
    ("Cottonwood Station", "KS", "678", "620"),
    ("Elm Prairie", "NE", "688", "308"),
    ("Hollis Ferry", "MO", "654", "417"),
    ("Ste. Genevieve Park", "MO", "636", "573"),
)

EMAIL_DOMAIN = "example.com"  # reserved for documentation (RFC 2606): never a real mailbox
